/** `streamChat()`: POST /api/chat and stream the answer (see ChatStreamRun for reconnect and stop). */
import type { ChatMessage } from './chat-events.js';
import { ChatStreamRun, type ChatStream, type StreamOptions } from './chat-stream.js';
import { headers, openSse } from './sse-request.js';

export interface StreamChatOptions extends StreamOptions {
  messages: ChatMessage[];
  model?: string;
  system?: string;
  maxTokens?: number;
  temperature?: number;
  reasoning?: { budgetTokens: number };
  /** Keep generating when this client goes away, so it can re-attach (stop() still cancels it). */
  detached?: boolean;
  /**
   * Continue an interrupted answer: its text goes back as a trailing assistant turn (trailing whitespace
   * trimmed, as Bedrock requires; the model writes it again), and the snapshot's text starts with it.
   */
  continueFrom?: string;
}

export function streamChat(options: StreamChatOptions): ChatStream {
  const prefill = options.continueFrom?.trimEnd() ?? '';
  const messages =
    prefill === '' ? options.messages : [...options.messages, { role: 'assistant' as const, content: prefill }];
  const body: Record<string, unknown> = { messages };
  for (const key of ['model', 'system', 'maxTokens', 'temperature', 'reasoning', 'detached'] as const) {
    if (options[key] !== undefined) body[key] = options[key];
  }
  return new ChatStreamRun(
    {
      cancels: true,
      initialText: prefill,
      open: (signal) =>
        openSse(options, '/api/chat', {
          method: 'POST',
          headers: headers(options, { 'content-type': 'application/json', accept: 'text/event-stream' }),
          body: JSON.stringify(body),
          signal,
        }),
    },
    options,
  );
}
