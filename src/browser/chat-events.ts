/** The browser client's vocabulary: the events a chat stream yields and the snapshot it keeps. */
import type { ChatState } from './chat-state.js';

export interface ChatMessage {
  role: 'user' | 'assistant';
  /** Text, or content parts (text, images and documents in base64, tool calls and results): docs/server.md. */
  content: string | readonly ContentPart[];
}

/** A content part as /api/chat takes it (media as base64 strings). */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; mediaType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp'; data: string }
  | {
      type: 'document';
      format: 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';
      name: string;
      data: string;
    }
  | { type: 'tool-call'; id: string; name: string; input: unknown }
  | { type: 'tool-result'; toolCallId: string; content: string | { json: unknown }; isError?: boolean }
  | { type: 'cache-point' };

/** A tool the caller declares on /api/chat: its calls end the answer (stop reason `tool_use`) for the caller to run. */
export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the input (an object schema). */
  inputSchema: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'any' | 'none' | { name: string };

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  source: 'bedrock' | 'estimated';
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** A guardrail's verdict on the input (before any text) or the output. */
export interface GuardrailNotice {
  action: 'intervened' | 'none';
  phase: 'input' | 'output';
  /** The text already streamed is taken back: show it as withdrawn, do not keep it as the answer. */
  withdrawsStreamedText: boolean;
}

/** A tool call as the snapshot keeps it: its input as it streams, then parsed, then (server tools) its result. */
export interface ToolCallState {
  id: string;
  name: string;
  /** The raw JSON input streamed so far (model output: show it as text, never as HTML). */
  inputText: string;
  /** `streaming` while the input arrives; `called` once complete; `done` / `failed` once the server ran it. */
  status: 'streaming' | 'called' | 'done' | 'failed';
  /** The parsed input, once complete. */
  input?: unknown;
  /** What the tool returned (text or JSON), when the server ran it. */
  result?: unknown;
  /** The step (model call) of a multi-step answer it belongs to, from 1. */
  step: number;
}

export type ChatEvent =
  | { type: 'start'; id: string; model: string }
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | ({ type: 'usage' } & Usage)
  | { type: 'retry'; attempt: number; delayMs: number; error: string; message: string }
  | { type: 'tool-call-start'; id: string; name: string }
  | { type: 'tool-call-delta'; id: string; inputDelta: string }
  | { type: 'tool-call'; id: string; name: string; input: unknown }
  | { type: 'tool-result'; id: string; name: string; content: unknown; isError: boolean }
  | { type: 'step'; step: number }
  | ({ type: 'guardrail' } & GuardrailNotice)
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
  /** The answer's tool calls, parsed (stop reason `tool_use` when the caller is to run them). */
  toolCalls?: { id: string; name: string; input: unknown }[];
  /** Model calls made (present when the server ran tools: each step is a call plus the tools it called). */
  steps?: number;
  guardrail?: GuardrailNotice;
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
  /** Tool calls in the order they began, across steps. */
  toolCalls: ToolCallState[];
  /** The current step of a multi-step answer (1 until the server runs tools and calls the model again). */
  step: number;
  /** The last guardrail verdict, when the server's guardrail reported one. */
  guardrail?: GuardrailNotice;
  /** Date.now() at the request, first text or reasoning, and the terminal event. */
  startedAt: number;
  firstTokenAt?: number;
  endedAt?: number;
}
