/**
 * The contract between the emulator's HTTP layer and its per-family request parsers and chunk writers.
 * A family parser reduces a request body to a GenerationRequest; a text backend turns that into tokens;
 * a chunk writer renders tokens as the family's own JSON chunks (bedrock-wire.md §4).
 */

export type EmulatorFamily =
  | 'anthropic-messages'
  | 'anthropic-text'
  | 'titan-text'
  | 'nova'
  | 'llama'
  | 'mistral-text'
  | 'mistral-chat'
  | 'cohere-r'
  | 'cohere-command'
  | 'ai21-jamba'
  | 'deepseek-r1'
  | 'openai-gpt-oss';

import type { CachePoint, CacheUsage } from '../prompt-cache.js';
import type { CompletedToolCall, ToolCallRef, ToolRequest, ToolResultText } from '../tools/tool-types.js';

/** A request reduced to what the text generator needs. Built by a family parser or by the Converse parser. */
export interface GenerationRequest {
  /** The conversation as plain text, without a trailing assistant prefill; seeds the generator. */
  conversation: string;
  /** The assistant prefill (a trailing assistant turn), if the request ends with one. */
  prefill?: string;
  /**
   * The text of the last user turn, for families that send turns (chat messages, Converse). Prompt-template
   * families send one prompt string, so they leave it unset. Scripted answers match against it.
   */
  lastUserText?: string;
  maxTokens: number;
  temperature: number;
  topP?: number;
  topK?: number;
  stopSequences: readonly string[];
  /** Reasoning requested or inherent (Claude thinking, DeepSeek R1, gpt-oss). */
  reasoning: boolean;
  /** Input token count as the emulator counts it (consistent with usage and metrics). */
  inputTokens: number;
  /** The tools offered and the choice (absent when the request offers none). */
  tools?: ToolRequest;
  /** The tool results the last user turn carries (the model then answers in text, quoting them). */
  toolResults?: ToolResultText[];
  /** The prompt-cache points the request marks (prompt-cache.ts); absent without any. */
  cachePoints?: CachePoint[];
  /** Cached input tokens, set once the prompt cache was consulted; `inputTokens` excludes them. */
  cache?: CacheUsage;
}

export type GenerationStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'guardrail_intervened';

/**
 * One generated token; reasoning tokens come before text tokens, tool-argument fragments (`tool`) last.
 * A `tool` token is one fragment of a call's JSON arguments.
 */
export type GeneratedToken =
  { channel: 'reasoning' | 'text'; text: string } | { channel: 'tool'; text: string; call: ToolCallRef };

export interface GenerationResult {
  stopReason: GenerationStopReason;
  /** The stop sequence that ended generation (not included in the text). */
  stopSequence?: string;
  /** Every generated token, reasoning included. */
  outputTokens: number;
}

/** Where the words come from: the bundled Markov generator, or a local OpenAI-compatible server. */
export interface TextBackend {
  generate(request: GenerationRequest, signal: AbortSignal): AsyncGenerator<GeneratedToken, GenerationResult, void>;
}

/** What Bedrock puts in `amazon-bedrock-invocationMetrics`. */
export interface InvocationMetrics {
  inputTokenCount: number;
  outputTokenCount: number;
  invocationLatency: number;
  firstByteLatency: number;
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

export interface GenerationEnd extends GenerationResult {
  inputTokens: number;
  /** Prompt-cache reads and writes, when the request had cache points. */
  cache?: CacheUsage;
  metrics: InvocationMetrics;
}

export interface WriterContext {
  /** The model id as the caller sent it (decoded). */
  modelId: string;
  /** The resolved base model id, without geo prefix or ARN. */
  baseModelId: string;
  requestId: string;
  inputTokens: number;
  /** Prompt-cache reads and writes, when the request had cache points. */
  cache?: CacheUsage;
}

/**
 * Renders one stream as the family's chunk objects (each becomes one `chunk` event, base64 in `bytes`).
 * Each method returns the chunks to send now, possibly none.
 */
export interface StreamChunkWriter {
  start(): object[];
  /** `tokens`: how many generated tokens `delta` holds (families with cumulative counters need it). */
  reasoning(delta: string, tokens: number): object[];
  text(delta: string, tokens: number): object[];
  /** One fragment of a tool call's arguments; a new `call.index` opens the call's block. Tool families only. */
  toolUse?(call: ToolCallRef, fragment: string): object[];
  /** The closing chunk(s); the last one carries `amazon-bedrock-invocationMetrics`. */
  finish(end: GenerationEnd): object[];
}

/** A whole (non-streamed) answer: reasoning, text, tool calls and how it ended. */
export interface WholeOutput {
  reasoning: string;
  text: string;
  toolCalls: CompletedToolCall[];
  end: GenerationEnd;
}

export interface FamilyHandler {
  /** False for families Bedrock does not stream (the stream operation answers ValidationException). */
  readonly streaming: boolean;
  readonly family: EmulatorFamily;
  /** Validates an InvokeModel body as Bedrock does; throws BedrockServiceError with Bedrock's wording. */
  parseInvokeRequest(body: unknown, context: { baseModelId: string }): GenerationRequest;
  createStreamWriter(context: WriterContext): StreamChunkWriter;
  /** The InvokeModel (non-streaming) response body. */
  invokeResponse(context: WriterContext, output: WholeOutput): object;
}

/** One ConverseStream event: `:event-type` and its JSON payload (not base64). */
export interface ConverseEvent {
  eventType:
    'messageStart' | 'contentBlockStart' | 'contentBlockDelta' | 'contentBlockStop' | 'messageStop' | 'metadata';
  payload: Record<string, unknown>;
}
