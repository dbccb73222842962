/** How each event changes a stream's running snapshot (the answer so far, usage, state, timings). */
import type { ChatSnapshot } from './chat-events.js';
import { initialChatState, nextChatState, type ChatStateInput } from './chat-state.js';

export function newSnapshot(initialText: string): ChatSnapshot {
  return {
    text: initialText,
    reasoning: '',
    state: nextChatState(initialChatState, { type: 'submit' }),
    textEvents: 0,
    startedAt: Date.now(),
  };
}

/** Folds `input` into the snapshot, in place (callbacks get the same object, so it stays cheap per token). */
export function applyEvent(s: ChatSnapshot, input: ChatStateInput): void {
  switch (input.type) {
    case 'text':
      s.text += input.text;
      s.textEvents += 1;
      s.firstTokenAt ??= Date.now();
      break;
    case 'reasoning':
      s.reasoning += input.text;
      s.firstTokenAt ??= Date.now();
      break;
    case 'start':
      s.model = input.model;
      break;
    case 'usage':
      s.usage = { inputTokens: input.inputTokens, outputTokens: input.outputTokens, source: input.source };
      break;
    case 'done':
      s.stopReason = input.stopReason;
      if (input.usage !== undefined) s.usage = input.usage;
      s.endedAt = Date.now();
      break;
    case 'error':
      s.error = input;
      s.endedAt = Date.now();
      break;
    case 'cancelled':
      s.endedAt = Date.now();
      break;
    case 'submit':
    case 'response':
    case 'retry':
    case 'reconnecting':
    case 'reconnected':
      break;
  }
  s.state = nextChatState(s.state, input);
}
