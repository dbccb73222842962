/** `streamChat()`: POST /api/chat and stream the answer (ChatStreamRun does reconnect and stop). */
import type { ChatMessage, ToolChoice, ToolDefinition } from './chat-events.js';
import { ChatStreamRun, type ChatStream, type StreamOptions } from './chat-stream.js';
import { openSse } from './sse-request.js';

export interface StreamChatOptions extends StreamOptions {
  messages: ChatMessage[];
  model?: string | undefined;
  system?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  reasoning?: { budgetTokens: number } | undefined;
  /** Tools you run yourself: their calls end the answer (stop reason `tool_use`; `snapshot.toolCalls`). */
  tools?: ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
  /** Keep generating when this client goes away, so it can re-attach (stop() still cancels it). */
  detached?: boolean | undefined;
  /**
   * Continue an interrupted answer: its text goes back as a trailing assistant turn (trailing whitespace
   * trimmed, as Bedrock requires; the model writes it again), and the snapshot's text starts with it.
   */
  continueFrom?: string | undefined;
}

const BODY_FIELDS = [
  'model',
  'system',
  'maxTokens',
  'temperature',
  'reasoning',
  'tools',
  'toolChoice',
  'detached',
] as const;

/** Starts at once (callbacks fire without iterating) and always ends with one terminal event. */
export function streamChat(options: StreamChatOptions): ChatStream {
  const prefill = options.continueFrom?.trimEnd() ?? '';
  const messages: ChatMessage[] =
    prefill === '' ? options.messages : [...options.messages, { role: 'assistant', content: prefill }];
  const body: Record<string, unknown> = { messages };
  for (const key of BODY_FIELDS) if (options[key] !== undefined) body[key] = options[key];
  const open = (signal: AbortSignal) => openSse(options, { method: 'POST', path: '/api/chat', body, signal });
  return new ChatStreamRun({ open, cancels: true, initialText: prefill }, options);
}
