import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, ServiceError, StreamInterruptedError } from '../../src/errors.js';
import { BedrockInferenceStream } from '../../src/client/inference-stream.js';
import type { StreamEvent } from '../../src/client/stream-event.js';
import { StreamState } from '../../src/client/stream-state.js';
import { CallScope } from '../../src/client/timeouts.js';
import type { InferenceResult } from '../../src/client/types.js';

// These tests exercise the stream object on its own, over a generator standing in for the call runner.
interface Harness {
  stream: BedrockInferenceStream;
  scope: CallScope;
  pulled: () => number;
  closed: () => boolean;
}

function harness(deltas: string[], failWith?: Error): Harness {
  const scope = new CallScope(undefined, 60_000);
  const state = new StreamState(1);
  let pulled = 0;
  let closed = false;
  async function* run(): AsyncGenerator<StreamEvent, InferenceResult, undefined> {
    try {
      for (const delta of deltas) {
        pulled++;
        const event = { type: 'text', delta } as const;
        state.apply(event);
        yield event;
      }
      if (failWith) throw failWith;
      const stop = { type: 'stop', reason: 'end_turn', rawReason: 'end_turn' } as const;
      state.apply(stop);
      yield stop;
      return state.result('test-model');
    } finally {
      closed = true;
    }
  }
  const stream = new BedrockInferenceStream(scope, state, run);
  return { stream, scope, pulled: () => pulled, closed: () => closed };
}

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('BedrockInferenceStream', () => {
  it('iterates text deltas, keeps the snapshot, then resolves finalResult', async () => {
    const { stream } = harness(['Hel', 'lo ', 'wörld']);
    const seen: string[] = [];
    for await (const delta of stream) seen.push(delta);
    expect(seen).toEqual(['Hel', 'lo ', 'wörld']);
    expect(stream.text).toBe('Hello wörld');
    const result = await stream.finalResult();
    expect(result.text).toBe('Hello wörld');
    expect(result.stopReason).toBe('end_turn');
    expect(result.metrics.chunkCount).toBe(3);
  });

  it('is pull-based: nothing is read before the consumer asks', async () => {
    const h = harness(['a', 'b', 'c', 'd']);
    await settle();
    expect(h.pulled()).toBe(0);
    const iterator = h.stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(h.pulled()).toBe(1);
    await settle();
    expect(h.pulled()).toBe(1);
  });

  it('gives typed events and drains itself when only finalResult() is called', async () => {
    const h = harness(['x', 'y']);
    await expect(h.stream.finalResult()).resolves.toMatchObject({ text: 'xy' });
    const other = harness(['x']);
    const types: string[] = [];
    for await (const event of other.stream.events()) types.push(event.type);
    expect(types).toEqual(['text', 'stop']);
  });

  it('lets finalResult() and an iteration started in the same tick share the stream', async () => {
    const { stream } = harness(['a', 'b']);
    const result = stream.finalResult();
    let text = '';
    for await (const delta of stream) text += delta;
    expect(text).toBe('ab');
    await expect(result).resolves.toMatchObject({ text: 'ab' });
  });

  it('has a single consumer', () => {
    const { stream } = harness(['a']);
    stream[Symbol.asyncIterator]();
    expect(() => stream.events()).toThrow(/one consumer/);
  });

  it('break aborts upstream, runs the runner cleanup and ends as an AbortError with the partial text', async () => {
    const h = harness(['one ', 'two ', 'three']);
    for await (const delta of h.stream) {
      expect(delta).toBe('one ');
      break;
    }
    expect(h.closed()).toBe(true);
    expect(h.stream.signal.aborted).toBe(true);
    const error = await h.stream.finalResult().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).partialText).toBe('one ');
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('abort() aborts the signal with an AbortError carrying the reason', () => {
    const { stream } = harness(['a']);
    stream.abort('enough');
    expect(stream.signal.reason).toBeInstanceOf(AbortError);
    expect((stream.signal.reason as AbortError).cause).toBe('enough');
  });

  it('throws a failure into the loop without an unhandled finalResult() rejection', async () => {
    const failure = new StreamInterruptedError('broke', { partialText: 'ab' });
    const { stream } = harness(['a', 'b'], failure);
    const result = stream.finalResult(); // created, never awaited: the loop got the error
    let caught: unknown;
    try {
      for await (const _ of stream) void _;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(failure);
    expect(stream.text).toBe('ab');
    await settle();
    expect(unhandled).toEqual([]);
    await expect(result).rejects.toBe(failure);
  });

  it('lets a finalResult() rejection nobody handles surface as unhandled', async () => {
    const failure = new ServiceError('down');
    const { stream } = harness([], failure);
    void stream.finalResult();
    await settle();
    expect(unhandled).toEqual([failure]);
  });
});
