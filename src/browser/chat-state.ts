/**
 * The one state machine of a chat answer, shared by the page and anything else that shows streams.
 * Pure: `nextChatState(state, input)` with a ChatEvent, or `submit` / `response` from the stream itself.
 *
 * | from | input (what drives it) | to |
 * | --- | --- | --- |
 * | idle | `submit`: the request is sent | submitting |
 * | submitting | `response`: HTTP 200 with `text/event-stream` arrived; or the `start` event | waiting / first-token |
 * | submitting, waiting | `retry` whose `error` is `ThrottlingError` (the server retries Bedrock's 429 itself) | waiting / throttled |
 * | submitting, waiting | any other `retry` (`ServiceError`, a dropped connection upstream, ...) | waiting / retrying |
 * | submitting, waiting, streaming | `reasoning` | streaming / reasoning |
 * | submitting, waiting, streaming | `text` | streaming / text |
 * | submitting, waiting, streaming | `tool-call-start`, `tool-call-delta`, `tool-call`, `tool-result` | streaming / tool |
 * | any non-terminal | `done` | done |
 * | any non-terminal | `cancelled` (stop(), the caller's signal, or the server's own) | stopped |
 * | any non-terminal | `error`: the server's error event; an HTTP 4xx/5xx before the stream (400 bad field, 401 key, 404, 429 throttled after the server's retries, 5xx); the network; a malformed event | error (`retryable` from the event) |
 * | submitting, waiting, streaming | `reconnecting`: the connection dropped, re-attaching with Last-Event-ID | reconnecting (`returnTo` = the state it left) |
 * | reconnecting | `reconnected` | `returnTo` |
 * | reconnecting | any other event (it proves the connection is back) | as from `returnTo` |
 *
 * Terminal states (done, stopped, error) absorb every later input, so a typing indicator driven by this
 * machine always ends. `usage`, `step` and `guardrail` never change the state.
 */
import type { ChatEvent } from './chat-events.js';

export type ChatPhase = 'idle' | 'submitting' | 'waiting' | 'streaming' | 'reconnecting' | 'done' | 'stopped' | 'error';

export type ChatState =
  | { phase: 'idle' }
  | { phase: 'submitting' }
  | { phase: 'waiting'; detail: 'first-token' | 'retrying' | 'throttled' }
  | { phase: 'streaming'; detail: 'text' | 'reasoning' | 'tool' }
  | { phase: 'reconnecting'; returnTo: ActiveState }
  | { phase: 'done' }
  | { phase: 'stopped' }
  | { phase: 'error'; retryable: boolean };

type ActiveState = Extract<ChatState, { phase: 'submitting' | 'waiting' | 'streaming' }>;
type TerminalState = Extract<ChatState, { phase: 'done' | 'stopped' | 'error' }>;

export type ChatStateInput = ChatEvent | { type: 'submit' } | { type: 'response' };

export const initialChatState: ChatState = { phase: 'idle' };

export function isTerminal(state: ChatState): state is TerminalState {
  return state.phase === 'done' || state.phase === 'stopped' || state.phase === 'error';
}

export function nextChatState(state: ChatState, input: ChatStateInput): ChatState {
  if (isTerminal(state)) return state;
  if (state.phase === 'reconnecting') {
    if (input.type === 'reconnected') return state.returnTo;
    if (input.type === 'reconnecting') return state;
    return nextChatState(state.returnTo, input);
  }
  switch (input.type) {
    case 'submit':
      return state.phase === 'idle' ? { phase: 'submitting' } : state;
    case 'response':
    case 'start':
      return state.phase === 'idle' || state.phase === 'submitting'
        ? { phase: 'waiting', detail: 'first-token' }
        : state;
    case 'retry':
      if (state.phase === 'streaming') return state;
      return { phase: 'waiting', detail: /throttl/i.test(input.error) ? 'throttled' : 'retrying' };
    case 'reasoning':
      return { phase: 'streaming', detail: 'reasoning' };
    case 'text':
      return { phase: 'streaming', detail: 'text' };
    case 'tool-call-start':
    case 'tool-call-delta':
    case 'tool-call':
    case 'tool-result':
      return state.phase === 'streaming' && state.detail === 'tool' ? state : { phase: 'streaming', detail: 'tool' };
    case 'done':
      return { phase: 'done' };
    case 'cancelled':
      return { phase: 'stopped' };
    case 'error':
      return { phase: 'error', retryable: input.retryable };
    case 'reconnecting':
      return state.phase === 'idle' ? state : { phase: 'reconnecting', returnTo: state };
    case 'reconnected':
    case 'usage':
    case 'step':
    case 'guardrail':
      return state;
  }
}
