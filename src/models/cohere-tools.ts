/**
 * Command R tool use (bedrock-wire.md §4.6, Cohere's v1 chat API): `tools` with `parameter_definitions`
 * (each input property's type, description and whether it is required), the model's calls as CHATBOT
 * `tool_calls` in `chat_history`, and the results as `tool_results` ({call, outputs}) for the current turn
 * or TOOL turns in the history. v1 tool calls carry no id: the decoder makes them one (cohereToolCallId).
 */
import { textOnly, type ContentPart, type ToolDefinition } from './content.js';
import type { ChatMessage } from './types.js';

/** JSON Schema types as Cohere's parameter_definitions spell them. */
const COHERE_TYPES: Readonly<Record<string, string>> = {
  string: 'str',
  integer: 'int',
  number: 'float',
  boolean: 'bool',
  object: 'Dict',
  array: 'List',
};

function cohereType(schema: Record<string, unknown>): string {
  const type = typeof schema.type === 'string' ? schema.type : 'string';
  const items = schema.items as Record<string, unknown> | undefined;
  if (type === 'array' && items !== undefined && typeof items.type === 'string') {
    return `List[${COHERE_TYPES[items.type] ?? 'str'}]`;
  }
  return COHERE_TYPES[type] ?? 'str';
}

/** parameter_definitions have no enum: the allowed values go into the description, where the model reads them. */
function parameterDescription(schema: Record<string, unknown>): string | undefined {
  const description = typeof schema.description === 'string' ? schema.description : undefined;
  if (!Array.isArray(schema.enum)) return description;
  const values = `One of: ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}.`;
  return description === undefined ? values : `${description} ${values}`;
}

export function cohereTools(tools: readonly ToolDefinition[] | undefined): Record<string, unknown>[] | undefined {
  if (tools === undefined || tools.length === 0) return undefined;
  return tools.map((tool) => {
    const properties = (tool.inputSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
    const required = new Set(Array.isArray(tool.inputSchema.required) ? (tool.inputSchema.required as string[]) : []);
    const definitions: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(properties)) {
      const description = parameterDescription(schema);
      definitions[name] = {
        ...(description === undefined ? {} : { description }),
        type: cohereType(schema),
        required: required.has(name),
      };
    }
    // Cohere requires a description; the name is the best we have when none was given.
    return { name: tool.name, description: tool.description ?? tool.name, parameter_definitions: definitions };
  });
}

type ToolCallPart = Extract<ContentPart, { type: 'tool-call' }>;
type ToolResultPart = Extract<ContentPart, { type: 'tool-result' }>;

/** Cohere takes a result's outputs as a list of objects: JSON objects as they are, anything else wrapped. */
function outputsOf(part: ToolResultPart): Record<string, unknown>[] {
  if (part.isError === true) {
    return [{ error: typeof part.content === 'string' ? part.content : JSON.stringify(part.content.json) }];
  }
  if (typeof part.content === 'string') return [{ result: part.content }];
  const json = part.content.json;
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) return [json as Record<string, unknown>];
  return [{ result: json }];
}

function toolResults(
  parts: readonly ContentPart[],
  calls: ReadonlyMap<string, ToolCallPart>,
): Record<string, unknown>[] {
  return parts.flatMap((part) => {
    if (part.type !== 'tool-result') return [];
    const call = calls.get(part.toolCallId);
    // Cohere matches results to calls by name and parameters; an unknown id can only name nothing.
    const callBody =
      call === undefined
        ? { name: part.toolCallId, parameters: {} }
        : { name: call.name, parameters: call.input ?? {} };
    return [{ call: callBody, outputs: outputsOf(part) }];
  });
}

function textOf(content: string | readonly ContentPart[]): string {
  if (typeof content === 'string') return content;
  return textOnly(
    content.filter((part) => part.type !== 'tool-call' && part.type !== 'tool-result'),
    "Command R's chat format",
  );
}

/**
 * The conversation in Command R's terms: the last user turn as `message` (and its results as
 * `tool_results`), the turns before it as `chat_history` (USER, CHATBOT with `tool_calls`, TOOL).
 * Everything after the last user turn is dropped: Command R answers `message` and cannot be prefilled.
 */
export function cohereConversation(messages: readonly ChatMessage[]): {
  message: string;
  chatHistory: Record<string, unknown>[] | undefined;
  toolResults: Record<string, unknown>[] | undefined;
} {
  const calls = new Map<string, ToolCallPart>();
  for (const m of messages) {
    if (typeof m.content !== 'string')
      for (const part of m.content) if (part.type === 'tool-call') calls.set(part.id, part);
  }
  let last = messages.length - 1;
  while (last >= 0 && messages[last]!.role !== 'user') last--;
  const history: Record<string, unknown>[] = [];
  for (const m of messages.slice(0, Math.max(last, 0))) {
    const text = textOf(m.content);
    const parts = typeof m.content === 'string' ? [] : m.content;
    if (m.role === 'assistant') {
      const toolCalls = parts.flatMap((part) =>
        part.type === 'tool-call' ? [{ name: part.name, parameters: part.input ?? {} }] : [],
      );
      history.push({ role: 'CHATBOT', message: text, ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls }) });
      continue;
    }
    const results = toolResults(parts, calls);
    if (results.length > 0) history.push({ role: 'TOOL', tool_results: results });
    if (text !== '' || results.length === 0) history.push({ role: 'USER', message: text });
  }
  const lastTurn = last >= 0 ? messages[last]! : undefined;
  const results =
    lastTurn === undefined || typeof lastTurn.content === 'string' ? [] : toolResults(lastTurn.content, calls);
  return {
    message: lastTurn === undefined ? '' : textOf(lastTurn.content),
    chatHistory: history.length === 0 ? undefined : history,
    toolResults: results.length === 0 ? undefined : results,
  };
}

/** A v1 tool call's id (v1 has none): the generation's id and the call's position, unique across turns. */
export function cohereToolCallId(generationId: string, position: number): string {
  return `${generationId}-call-${position}`;
}
