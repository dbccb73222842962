import { describe, expect, it } from 'vitest';
import {
  RetryError,
  StreamInterruptedError,
  ThrottlingError,
  TimeoutError,
  ValidationError,
} from '../../src/errors.js';
import type { StreamEvent } from '../../src/client/stream-event.js';
import { CLAUDE, clientFor, rejection, useEmulatorClient } from './emulator-harness.js';

const rig = useEmulatorClient();

const prompt = 'Write five sentences about the sea.';

async function collect(stream: AsyncIterable<StreamEvent>): Promise<{ events: StreamEvent[]; error?: unknown }> {
  const events: StreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('retries before the first chunk', () => {
  it('succeeds after injected throttling, with a retry event and attempts === 2', async () => {
    const clean = await rig.client.invoke({ prompt });
    rig.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 1 });
    const stream = rig.client.invokeStream({ prompt });
    const { events, error } = await collect(stream.events());
    expect(error).toBeUndefined();
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({ type: 'retry', attempt: 1 });
    expect((retry as { error: Error }).error).toBeInstanceOf(ThrottlingError);
    const result = await stream.finalResult();
    expect(result.attempts).toBe(2);
    expect(result.text).toBe(clean.text);
    expect(rig.emu.requestLog.entries().filter((e) => e.operation === 'InvokeModelWithResponseStream')).toHaveLength(2);
  });

  it("honours the server's Retry-After, capped by maxDelayMs", async () => {
    const patient = clientFor(rig.emu, { retry: { baseDelayMs: 1, maxDelayMs: 400 } });
    rig.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 30 } });
    const { events, error } = await collect(patient.invokeStream({ prompt }).events());
    expect(error).toBeUndefined();
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ delayMs: 400 });
    patient.destroy();
  });

  it('gives up with a RetryError carrying every attempt', async () => {
    rig.emu.faults.add({ fault: { kind: 'error', errorType: 'ServiceUnavailableException' }, times: 5 });
    const error = await rejection(rig.client.invokeStream({ prompt }).finalResult());
    expect(error).toBeInstanceOf(RetryError);
    expect((error as RetryError).errors).toHaveLength(3);
    expect(rig.emu.requestLog.entries()).toHaveLength(3);
  });

  it('never retries a validation error', async () => {
    rig.emu.faults.add({
      fault: { kind: 'error', errorType: 'ValidationException', message: 'Malformed input request' },
    });
    const error = await rejection(rig.client.invokeStream({ prompt }).finalResult());
    expect(error).toBeInstanceOf(ValidationError);
    expect(rig.emu.requestLog.entries()).toHaveLength(1);
  });

  it('retries invoke() the same way', async () => {
    rig.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 1 });
    const result = await rig.client.invoke({ prompt });
    expect(result.attempts).toBe(2);
  });
});

describe('breaks after content arrived', () => {
  it.each([
    { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 },
    { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 6 },
    { kind: 'error-frame', afterChunks: 6, errorCode: 'InternalFailure', errorMessage: 'boom' },
    { kind: 'truncate', afterChunks: 6 },
    { kind: 'corrupt-crc', afterChunks: 6 },
    { kind: 'end-early', afterChunks: 6 },
  ] as const)('$kind gives StreamInterruptedError with the partial text', async (fault) => {
    rig.emu.faults.add({ fault });
    const stream = rig.client.invokeStream({ prompt });
    let seen = '';
    const error = await rejection(
      (async () => {
        for await (const delta of stream) seen += delta;
      })(),
    );
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).partialText).toBe(seen);
    expect(seen.length).toBeGreaterThan(0);
    expect(stream.text).toBe(seen);
    expect(rig.emu.requestLog.entries()).toHaveLength(1); // never silently retried
  });

  it('a connection reset mid-stream (paced, so content arrived first) keeps the partial text', async () => {
    rig.emu.setSpeed('realistic');
    try {
      rig.emu.faults.add({ fault: { kind: 'reset', afterChunks: 6 } });
      const stream = rig.client.invokeStream({ prompt });
      const error = await rejection(stream.finalResult());
      expect(error).toBeInstanceOf(StreamInterruptedError);
      expect((error as StreamInterruptedError).partialText).toBe(stream.text);
      expect(stream.text.length).toBeGreaterThan(0);
    } finally {
      rig.emu.setSpeed('instant');
    }
  });

  it.each([
    ['invoke', CLAUDE],
    ['invoke', 'anthropic.claude-v2'],
    ['invoke', 'amazon.titan-text-express-v1'],
    ['invoke', 'us.amazon.nova-lite-v1:0'],
    ['invoke', 'meta.llama3-8b-instruct-v1:0'],
    ['invoke', 'mistral.mistral-7b-instruct-v0:2'],
    ['invoke', 'cohere.command-text-v14'],
    ['converse', CLAUDE],
    ['converse', 'us.amazon.nova-lite-v1:0'],
  ] as const)('resume (%s, %s) continues to exactly the uninterrupted answer', async (api, modelId) => {
    const clean = await rig.client.invokeStream({ prompt, api, modelId }).finalResult();
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 4 },
    });
    const stream = rig.client.invokeStream({ prompt, api, modelId, resume: true });
    const { events, error } = await collect(stream.events());
    expect(error).toBeUndefined();
    const text = events.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
    expect(text).toBe(clean.text);
    expect(events.filter((e) => e.type === 'resume')).toHaveLength(1);
    const result = await stream.finalResult();
    expect(result).toMatchObject({ text: clean.text, resumes: 1, stopReason: 'end_turn' });
    const continuation = rig.emu.requestLog.entries().at(-1);
    // The continuation carried the partial answer as its prefill.
    const resumed = events.find((e) => e.type === 'resume');
    const partial = clean.text.slice(0, resumed?.type === 'resume' ? resumed.partialLength : 0).trimEnd();
    expect(partial.length).toBeGreaterThan(0);
    expect(JSON.stringify(continuation?.body)).toContain(JSON.stringify(partial).slice(1, -1));
  });

  it('a continuation that fails to start keeps the earlier partial answer', async () => {
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 },
    });
    rig.emu.faults.add({ fault: { kind: 'error', errorType: 'ValidationException', message: 'no prefill today' } });
    const stream = rig.client.invokeStream({ prompt, resume: true });
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).cause).toBeInstanceOf(ValidationError);
    expect((error as StreamInterruptedError).partialText).toBe(stream.text);
    expect(stream.text.length).toBeGreaterThan(0);
    expect(rig.emu.requestLog.entries()).toHaveLength(2);
  });

  it('a family that cannot continue fails with the partial text kept, even with resume on', async () => {
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 4 },
    });
    const stream = rig.client.invokeStream({ prompt, modelId: 'ai21.jamba-1-5-mini-v1:0', resume: true });
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).partialText).toBe(stream.text);
    expect(stream.text.length).toBeGreaterThan(0);
  });
});

describe('timeouts', () => {
  it('fires the between-chunks timeout on a stall and closes the request', async () => {
    rig.emu.faults.add({ fault: { kind: 'stall', afterChunks: 5, ms: 20_000 } });
    const stream = rig.client.invokeStream({ prompt, timeouts: { betweenChunksMs: 300 } });
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe('betweenChunks');
    expect((error as TimeoutError).partialText).toBe(stream.text);
    const entry = await rig.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5000);
    expect(entry.outcome).toBe('client-aborted');
  });

  it('fires the first-chunk timeout when the first byte is slow, retrying it once', async () => {
    rig.emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 20_000 }, times: 2 });
    const error = await rejection(rig.client.invokeStream({ prompt, timeouts: { firstChunkMs: 300 } }).finalResult());
    expect(error).toBeInstanceOf(RetryError);
    const last = (error as RetryError).lastError;
    expect(last).toBeInstanceOf(TimeoutError);
    expect((last as TimeoutError).timeout).toBe('firstChunk');
    expect(rig.emu.requestLog.entries()).toHaveLength(2);
  });

  it('answers on the retry when only the first attempt had a slow first byte', async () => {
    rig.emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 20_000 } });
    const result = await rig.client.invokeStream({ prompt, timeouts: { firstChunkMs: 300 } }).finalResult();
    expect(result.attempts).toBe(2);
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('fires the total timeout', async () => {
    rig.emu.faults.add({ fault: { kind: 'stall', afterChunks: 1, ms: 20_000 } });
    const error = await rejection(rig.client.invokeStream({ prompt, timeouts: { totalMs: 300 } }).finalResult());
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe('total');
  });
});
