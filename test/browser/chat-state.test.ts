/** The chat state machine, on its own: every edge of the table in src/browser/chat-state.ts. */
import { describe, expect, it } from 'vitest';
import {
  initialChatState,
  isTerminal,
  nextChatState,
  type ChatState,
  type ChatStateInput,
} from '../../src/browser/index.js';

const run = (inputs: ChatStateInput[], from: ChatState = initialChatState) =>
  inputs.reduce<ChatState[]>((states, input) => [...states, nextChatState(states.at(-1)!, input)], [from]);

const text = { type: 'text', text: 'x' } as const;
const reasoning = { type: 'reasoning', text: 'x' } as const;
const retry = (error: string) => ({ type: 'retry', attempt: 1, delayMs: 1, error, message: 'm' }) as const;
const done = { type: 'done', stopReason: 'end_turn' } as const;
const error = (retryable: boolean) =>
  ({ type: 'error', errorType: 'E', message: 'm', retryable, partialText: '' }) as const;

describe('nextChatState', () => {
  it('walks idle -> submitting -> waiting -> streaming -> done', () => {
    expect(run([{ type: 'submit' }, { type: 'response' }, { type: 'start', id: 'g', model: 'm' }, text, done])).toEqual(
      [
        { phase: 'idle' },
        { phase: 'submitting' },
        { phase: 'waiting', detail: 'first-token' },
        { phase: 'waiting', detail: 'first-token' },
        { phase: 'streaming', detail: 'text' },
        { phase: 'done' },
      ],
    );
  });

  it('retries: throttling and others while waiting; ignored once streaming', () => {
    const waiting = run([{ type: 'submit' }, { type: 'response' }]).at(-1)!;
    expect(nextChatState(waiting, retry('ThrottlingError'))).toEqual({ phase: 'waiting', detail: 'throttled' });
    expect(nextChatState(waiting, retry('ServiceError'))).toEqual({ phase: 'waiting', detail: 'retrying' });
    expect(nextChatState({ phase: 'submitting' }, retry('ThrottlingError'))).toEqual({
      phase: 'waiting',
      detail: 'throttled',
    });
    const streaming: ChatState = { phase: 'streaming', detail: 'text' };
    expect(nextChatState(streaming, retry('ServiceError'))).toBe(streaming);
  });

  it('reasoning then text switch the streaming detail', () => {
    expect(run([{ type: 'submit' }, { type: 'response' }, reasoning, reasoning, text]).slice(-3)).toEqual([
      { phase: 'streaming', detail: 'reasoning' },
      { phase: 'streaming', detail: 'reasoning' },
      { phase: 'streaming', detail: 'text' },
    ]);
  });

  it('ends: done, cancelled -> stopped, error with retryable (also straight from submitting: an HTTP error)', () => {
    const submitting: ChatState = { phase: 'submitting' };
    expect(nextChatState(submitting, error(false))).toEqual({ phase: 'error', retryable: false });
    expect(nextChatState({ phase: 'streaming', detail: 'text' }, error(true))).toEqual({
      phase: 'error',
      retryable: true,
    });
    expect(nextChatState(submitting, { type: 'cancelled', partialText: '', reason: 'stopped' })).toEqual({
      phase: 'stopped',
    });
    expect(nextChatState({ phase: 'waiting', detail: 'retrying' }, done)).toEqual({ phase: 'done' });
  });

  it('reconnecting remembers the state and returns to it', () => {
    const streaming: ChatState = { phase: 'streaming', detail: 'reasoning' };
    const reconnecting = nextChatState(streaming, { type: 'reconnecting', attempt: 1, delayMs: 10 });
    expect(reconnecting).toEqual({ phase: 'reconnecting', returnTo: streaming });
    expect(nextChatState(reconnecting, { type: 'reconnecting', attempt: 2, delayMs: 20 })).toBe(reconnecting);
    expect(nextChatState(reconnecting, { type: 'reconnected' })).toEqual(streaming);
    // An event proves the connection is back: it applies to the remembered state.
    expect(nextChatState(reconnecting, text)).toEqual({ phase: 'streaming', detail: 'text' });
    expect(nextChatState(reconnecting, error(true))).toEqual({ phase: 'error', retryable: true });
    const waiting: ChatState = { phase: 'waiting', detail: 'first-token' };
    expect(run([{ type: 'reconnecting', attempt: 1, delayMs: 1 }, { type: 'reconnected' }], waiting).at(-1)).toEqual(
      waiting,
    );
  });

  it('terminal states absorb everything', () => {
    const inputs: ChatStateInput[] = [
      { type: 'submit' },
      { type: 'response' },
      text,
      retry('ThrottlingError'),
      { type: 'reconnecting', attempt: 1, delayMs: 1 },
      done,
      error(true),
    ];
    for (const terminal of [{ phase: 'done' }, { phase: 'stopped' }, { phase: 'error', retryable: false }] as const) {
      expect(isTerminal(terminal)).toBe(true);
      for (const input of inputs) expect(nextChatState(terminal, input)).toBe(terminal);
    }
    expect(isTerminal(initialChatState)).toBe(false);
    expect(isTerminal({ phase: 'reconnecting', returnTo: { phase: 'submitting' } })).toBe(false);
  });

  it('usage never changes the state', () => {
    const state: ChatState = { phase: 'streaming', detail: 'text' };
    expect(nextChatState(state, { type: 'usage', inputTokens: 1, outputTokens: 2, source: 'bedrock' })).toBe(state);
  });
});
