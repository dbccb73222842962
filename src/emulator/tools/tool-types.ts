/**
 * Tool use as the emulator sees it, whatever the family's spelling: the tools a request offers, how it
 * lets the model choose, the results its last user turn carries, and the calls the emulated model makes.
 * Family parsers (tools/*-tools.ts) reduce their own JSON to these; tool-decision.ts decides the answer.
 */

/** One offered tool; `schema` is its JSON schema for the input (arguments). */
export interface ToolDefinition {
  name: string;
  schema: Record<string, unknown>;
}

export type ToolChoice = { type: 'auto' } | { type: 'any' } | { type: 'none' } | { type: 'tool'; name: string };

/** How a family spells tool-call ids (each family's own prefix and length). */
export type ToolIdStyle = 'claude' | 'converse' | 'openai' | 'mistral' | 'cohere';

export interface ToolRequest {
  definitions: ToolDefinition[];
  choice: ToolChoice;
  /** False where the request forbids parallel calls (`disable_parallel_tool_use`, `parallel_tool_calls: false`). */
  parallel: boolean;
  idStyle: ToolIdStyle;
}

/** A tool result in the last user turn: its call id (the tool name for Cohere) and its content as text. */
export interface ToolResultText {
  id: string;
  content: string;
}

/** A call the emulated model makes; `fragments` join to `JSON.stringify(input)`. */
export interface PlannedToolCall {
  id: string;
  name: string;
  input: unknown;
  fragments: string[];
}

/** What a streamed tool fragment belongs to (the writer opens a block when `index` is new). */
export interface ToolCallRef {
  /** 0-based position of the call in this answer. */
  index: number;
  id: string;
  name: string;
}

/** A whole tool call for non-streaming responses. */
export interface CompletedToolCall {
  id: string;
  name: string;
  input: unknown;
  /** The arguments as the model wrote them (`JSON.stringify(input)`). */
  json: string;
}

/** Tool names follow Bedrock's rule everywhere. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
