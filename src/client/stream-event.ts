/**
 * The one vocabulary every layer speaks: adapters translate each family's chunks into these events,
 * and nothing downstream knows which family produced them. Every `switch` over StreamEvent ends in
 * an exhaustive `never` check (see assertNever).
 */

/** Normalised stop reasons; the family's own value travels beside it as `rawReason`. */
export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'content_filtered'
  | 'guardrail_intervened'
  | 'context_window_exceeded'
  | 'refusal'
  | 'pause_turn'
  | 'error'
  | 'aborted'
  | 'other';

export interface TextEvent {
  type: 'text';
  delta: string;
}

export interface ReasoningEvent {
  type: 'reasoning';
  delta: string;
}

export interface UsageEvent {
  type: 'usage';
  inputTokens: number;
  outputTokens: number;
  /** `bedrock` when Bedrock reported the counts, `estimated` when we counted characters. */
  source: 'bedrock' | 'estimated';
  /** Input tokens read from Bedrock's prompt cache (billed at the cache-read rate), when reported. */
  cacheReadInputTokens?: number;
  /** Input tokens written to Bedrock's prompt cache, when reported. */
  cacheWriteInputTokens?: number;
}

/** The model began a tool call; its input streams next as `tool-call-delta` fragments. */
export interface ToolCallStartEvent {
  type: 'tool-call-start';
  id: string;
  name: string;
}

/** A raw fragment of a tool call's JSON input, as the model streams it. */
export interface ToolCallDeltaEvent {
  type: 'tool-call-delta';
  id: string;
  inputDelta: string;
}

/** A complete tool call: its fragments joined and parsed. */
export interface ToolCallEvent {
  type: 'tool-call';
  id: string;
  name: string;
  input: unknown;
}

/**
 * A guardrail's verdict. `intervened` on `input` comes before any text; on `output` after text was
 * streamed, `withdrawsStreamedText` says the text already shown should be taken back (async mode, or any
 * intervention that follows streamed text).
 */
export interface GuardrailEvent {
  type: 'guardrail';
  action: 'intervened' | 'none';
  phase: 'input' | 'output';
  withdrawsStreamedText: boolean;
  /** Bedrock's guardrail trace, as it sent it, when trace was asked for. */
  trace?: unknown;
}

export interface StopEvent {
  type: 'stop';
  reason: StopReason;
  rawReason: string | null;
}

/** Bedrock's own timings from `amazon-bedrock-invocationMetrics` or Converse `metadata.metrics`. */
export interface MetricsEvent {
  type: 'metrics';
  firstByteLatencyMs?: number;
  invocationLatencyMs?: number;
}

/** A retry before the first content chunk (nothing had reached the caller yet). */
export interface RetryEvent {
  type: 'retry';
  attempt: number;
  delayMs: number;
  error: Error;
}

/** The stream broke after content arrived and the client is continuing the answer. */
export interface ResumeEvent {
  type: 'resume';
  resumes: number;
  partialLength: number;
  error: Error;
}

export type StreamEvent =
  | TextEvent
  | ReasoningEvent
  | UsageEvent
  | StopEvent
  | MetricsEvent
  | RetryEvent
  | ResumeEvent
  | ToolCallStartEvent
  | ToolCallDeltaEvent
  | ToolCallEvent
  | GuardrailEvent;

/** Events an adapter's chunk decoder may produce (the others come from the client itself). */
export type ChunkEvent =
  | TextEvent
  | ReasoningEvent
  | UsageEvent
  | StopEvent
  | MetricsEvent
  | ToolCallStartEvent
  | ToolCallDeltaEvent
  | ToolCallEvent
  | GuardrailEvent;

export function assertNever(value: never): never {
  throw new Error(`Unhandled variant: ${JSON.stringify(value)}`);
}
