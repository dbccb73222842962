/** The browser client's vocabulary: the events a chat stream yields and the snapshot it keeps. */
import type { ChatState } from './chat-state.js';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  source: 'bedrock' | 'estimated';
}

export type ChatEvent =
  | { type: 'start'; id: string; model: string }
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | ({ type: 'usage' } & Usage)
  | { type: 'retry'; attempt: number; delayMs: number; error: string; message: string }
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  | { type: 'reconnected' }
  | ErrorEvent
  | DoneEvent
  | { type: 'cancelled'; partialText: string; reason: string };

export interface ErrorEvent {
  type: 'error';
  /**
   * Mid-stream: the library's error class (`ThrottlingError`, `StreamInterruptedError`, ...) or
   * `ServerShuttingDown`; a refused request: the server's `type` (`invalid_request`, `ThrottlingError`, ...);
   * this client's own: `NetworkError`, `GenerationLost` (gone on re-attach), `BadEvent`.
   */
  errorType: string;
  message: string;
  retryable: boolean;
  partialText: string;
  /** The HTTP status of a request the server refused (before any event); absent for failures mid-stream. */
  status?: number;
  field?: string;
  fix?: string;
  retryAfterMs?: number;
}

export interface DoneEvent {
  type: 'done';
  stopReason: string;
  rawStopReason?: string;
  usage?: Usage;
  metrics?: DoneMetrics;
}

/** The server's figures for the generation (null where unknown); fields may be missing from older servers. */
export interface DoneMetrics {
  timeToFirstTokenMs?: number | null;
  totalTimeMs?: number;
  chunkCount?: number;
  outputTokensPerSecond?: number | null;
  firstByteLatencyMs?: number | null;
  invocationLatencyMs?: number | null;
}

export type TerminalEvent = Extract<ChatEvent, { type: 'done' | 'error' | 'cancelled' }>;

export function isTerminalEvent(event: ChatEvent): event is TerminalEvent {
  return event.type === 'done' || event.type === 'error' || event.type === 'cancelled';
}

export interface ChatSnapshot {
  generationId?: string;
  model?: string;
  /** The answer so far (for a continuation, starting with the text it continues). */
  text: string;
  reasoning: string;
  state: ChatState;
  /** The id of the last SSE event seen: where a reconnect resumes. */
  lastEventId?: string;
  /** How many `text` events arrived. */
  textEvents: number;
  usage?: Usage;
  stopReason?: string;
  error?: ErrorEvent;
  /** Date.now() at the request, first text or reasoning, and the terminal event. */
  startedAt: number;
  firstTokenAt?: number;
  endedAt?: number;
}
