/** How each event changes a stream's running snapshot (the answer so far, usage, state, timings). */
import type { ChatSnapshot, ToolCallState } from './chat-events.js';
import { initialChatState, nextChatState, type ChatStateInput } from './chat-state.js';

export function newSnapshot(initialText: string): ChatSnapshot {
  return {
    text: initialText,
    reasoning: '',
    state: nextChatState(initialChatState, { type: 'submit' }),
    textEvents: 0,
    toolCalls: [],
    step: 1,
    startedAt: Date.now(),
  };
}

/** The call with this id, created when its start was not seen (a watcher attaching mid-call). */
function toolCall(s: ChatSnapshot, id: string, name: string): ToolCallState {
  let call = s.toolCalls.find((known) => known.id === id);
  if (call === undefined) {
    call = { id, name, inputText: '', status: 'streaming', step: s.step };
    s.toolCalls.push(call);
  }
  return call;
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
    case 'usage': {
      const { type: _type, ...usage } = input;
      s.usage = usage;
      break;
    }
    case 'tool-call-start':
      toolCall(s, input.id, input.name);
      break;
    case 'tool-call-delta':
      toolCall(s, input.id, '').inputText += input.inputDelta;
      break;
    case 'tool-call': {
      const call = toolCall(s, input.id, input.name);
      call.name = input.name;
      call.input = input.input;
      // The complete input replaces the fragments (a watcher that attached mid-call has only a tail).
      call.inputText = JSON.stringify(input.input);
      call.status = 'called';
      break;
    }
    case 'tool-result': {
      const call = toolCall(s, input.id, input.name);
      call.result = input.content;
      call.status = input.isError ? 'failed' : 'done';
      break;
    }
    case 'step':
      s.step = input.step;
      break;
    case 'guardrail': {
      const { type: _type, ...notice } = input;
      s.guardrail = notice;
      break;
    }
    case 'done':
      s.stopReason = input.stopReason;
      if (input.usage !== undefined) s.usage = input.usage;
      if (input.guardrail !== undefined) s.guardrail = input.guardrail;
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
