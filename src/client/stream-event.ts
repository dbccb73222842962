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

export type StreamEvent = TextEvent | ReasoningEvent | UsageEvent | StopEvent | MetricsEvent | RetryEvent | ResumeEvent;

/** Events an adapter's chunk decoder may produce (the others come from the client itself). */
export type ChunkEvent = TextEvent | ReasoningEvent | UsageEvent | StopEvent | MetricsEvent;

export function assertNever(value: never): never {
  throw new Error(`Unhandled variant: ${JSON.stringify(value)}`);
}
