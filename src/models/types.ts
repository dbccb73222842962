/**
 * The port every model family implements: build the request body, decode the stream's chunks into
 * ChunkEvents, map stop reasons. One file per family under src/models; quirks live in small helpers.
 */
import type { ChunkEvent, StopReason } from '../client/stream-event.js';
import type {
  CachePoints,
  ContentPart,
  GuardrailConfig,
  ServiceOptions,
  ToolChoice,
  ToolDefinition,
} from './content.js';
import type { DeltaTemplate } from './delta-template.js';

export type ModelFamily =
  | 'anthropic'
  | 'anthropic-text'
  | 'titan'
  | 'nova'
  | 'llama'
  | 'mistral'
  | 'mistral-chat'
  | 'cohere'
  | 'cohere-command'
  | 'ai21'
  | 'deepseek'
  | 'openai';

export interface ChatMessage {
  role: 'user' | 'assistant';
  /** Plain text, or content parts (text, images, documents, tool calls and results, cache points). */
  content: string | readonly ContentPart[];
}

/** A request in the library's own terms, before any family shapes it. */
export interface NormalizedRequest extends ServiceOptions {
  messages: readonly ChatMessage[];
  system?: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: readonly string[];
  /** Ask models that can think to stream their reasoning (Claude thinking budget in tokens). */
  reasoning?: { budgetTokens: number };
  /** Family-specific fields merged into the body as is (the escape hatch). */
  additionalFields?: Record<string, unknown>;
  tools?: readonly ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Sent as headers on InvokeModel*, as `guardrailConfig` on Converse. */
  guardrail?: GuardrailConfig;
  cachePoints?: CachePoints;
  /**
   * Set on a resume's request for families whose continuation is `prompt`: the interrupted answer so far
   * (trailing whitespace trimmed) and the reasoning streamed before it. The family writes both into its
   * own prompt after the messages, and its decoder then starts in the answer, not in the reasoning.
   */
  continues?: { reasoning: string; text: string };
}

/** Receives decoded events; one call per event, no arrays built on the hot path. */
export type ChunkEventSink = (event: ChunkEvent) => void;

/**
 * Decodes one stream's chunks. State (current block, counters) lives in the closure.
 * `chunk` is the parsed JSON object of one `chunk` event's `bytes`, valid during the call only (the
 * text-delta fast path reuses one object): read it, never keep it.
 */
export type ChunkDecoder = (chunk: Record<string, unknown>, emit: ChunkEventSink) => void;

export interface MappedStopReason {
  unified: StopReason;
  raw: string | null;
}

export interface ModelAdapter {
  readonly family: ModelFamily;
  /** The InvokeModel / InvokeModelWithResponseStream JSON body. */
  buildRequest(request: NormalizedRequest): Record<string, unknown>;
  /** A decoder for one stream; `request` is the request it answers (a continuation starts in the answer). */
  createChunkDecoder(request?: NormalizedRequest): ChunkDecoder;
  /** Decodes a non-streaming InvokeModel response into the same events. */
  decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void;
  mapStopReason(raw: string | null | undefined): MappedStopReason;
  /**
   * How this family continues an interrupted answer: `prefill` puts the partial text in a trailing
   * assistant turn; `prompt` (families whose raw prompt the adapter writes, InvokeModel only) passes it,
   * with the reasoning before it, as `request.continues`; `none` means it cannot (resume then fails with
   * the partial text kept).
   */
  readonly continuation: 'prefill' | 'prompt' | 'none';
  /**
   * The family's text-delta chunk as Bedrock writes it, for the hot path: a chunk matching one of these
   * skips JSON.parse (delta-template.ts). Optional: without it every chunk is parsed.
   */
  readonly deltaTemplates?: readonly DeltaTemplate[];
}
