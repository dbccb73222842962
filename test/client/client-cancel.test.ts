import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { countedSignal } from './counted-signal.js';
import { rejection, useEmulatorClient } from './emulator-harness.js';

const rig = useEmulatorClient();

const prompt = 'Write five sentences about mountains.';
// A stall keeps the upstream stream open, so closing it is visible in the request log.
const holdOpen = () => rig.emu.faults.add({ fault: { kind: 'stall', afterChunks: 5, ms: 20_000 } });
const aborted = () => rig.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5000);

describe('cancellation closes the upstream request', () => {
  it('break out of for-await', async () => {
    holdOpen();
    const stream = rig.client.invokeStream({ prompt });
    let first = '';
    for await (const delta of stream) {
      first = delta;
      break;
    }
    expect(first).not.toBe('');
    expect((await aborted()).outcome).toBe('client-aborted');
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).partialText).toBe(first);
  });

  it('abort() while waiting for a chunk', async () => {
    holdOpen();
    const stream = rig.client.invokeStream({ prompt });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator
      .next()
      .then(() => iterator.next())
      .then(() => iterator.next());
    setTimeout(() => stream.abort('user pressed stop'), 50);
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe('user pressed stop');
    expect((error as AbortError).partialText).toBe(stream.text);
    expect((await aborted()).outcome).toBe('client-aborted');
  });

  it("the caller's signal, with its listener removed afterwards", async () => {
    holdOpen();
    const { controller, signal, counts } = countedSignal();
    const stream = rig.client.invokeStream({ prompt, signal });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort(new Error('page closed'));
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(AbortError);
    expect((await aborted()).outcome).toBe('client-aborted');
    expect(counts.added).toBeGreaterThan(0);
    expect(counts.removed).toBe(counts.added);
  });

  it('leaves no listener on the caller signal after success, retries and invoke()', async () => {
    const { signal, counts } = countedSignal();
    rig.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 1 });
    await rig.client.invokeStream({ prompt, signal }).finalResult();
    await rig.client.invoke({ prompt, signal });
    await rig.client.invokeStreamWithCallbacks({ prompt, signal });
    expect(counts.added).toBe(3);
    expect(counts.removed).toBe(3);
  });

  it('abort() before anyone reads: the stream ends with an AbortError and nothing is sent', async () => {
    const stream = rig.client.invokeStream({ prompt });
    stream.abort();
    const error = await rejection(
      (async () => {
        for await (const _ of stream.events()) void _;
      })(),
    );
    expect(error).toBeInstanceOf(AbortError);
    await expect(stream.finalResult()).rejects.toBe(error);
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
  });

  it('break out of events() closes the request too', async () => {
    holdOpen();
    const stream = rig.client.invokeStream({ prompt });
    for await (const event of stream.events()) if (event.type === 'text') break;
    expect((await aborted()).outcome).toBe('client-aborted');
  });

  it('an already-aborted signal never sends the request', async () => {
    const error = await rejection(rig.client.invokeStream({ prompt, signal: AbortSignal.abort() }).finalResult());
    expect(error).toBeInstanceOf(AbortError);
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
  });

  it('callbacks: onError receives the AbortError and the promise resolves', async () => {
    holdOpen();
    const controller = new AbortController();
    const errors: Error[] = [];
    const result = await rig.client.invokeStreamWithCallbacks({
      prompt,
      signal: controller.signal,
      onContent: () => controller.abort(),
      onError: (error) => errors.push(error),
    });
    expect(result).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AbortError);
  });
});

describe('backpressure', () => {
  it('a slow consumer keeps the number of chunks read bounded', async () => {
    // A long answer (thousands of chunks) and a consumer that pauses after the first delta: the
    // transport's flow-control window and stream buffers, not our memory, absorb the difference, so the
    // emulator stops sending until the consumer reads again. How much those buffers hold depends on
    // Node's version (22 raised the default highWaterMark to 64 KiB), so the test checks that sending
    // stopped, not where.
    const sentence = 'Tea travelled from the hills of Yunnan along caravan roads to every port of the world. ';
    rig.emu.scripts.add({ answer: { text: sentence.repeat(1500) }, times: 1 });
    const stream = rig.client.invokeStream({
      modelId: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
      prompt: 'Write about the history of tea.',
      maxTokens: 32000,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const [entry] = rig.emu.requestLog.entries();
    const sentWhilePaused = await settledCount(() => entry!.chunksSent);
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next());
    const result = await stream.finalResult();
    expect(entry!.outcome).toBe('completed');
    expect(sentWhilePaused).toBeLessThan(entry!.chunksSent / 2);
    expect(result.text).toBe(sentence.repeat(1500));
  });
});

/** A count once it stopped changing (the same over five reads 50 ms apart), within a generous deadline. */
async function settledCount(read: () => number): Promise<number> {
  let last = read();
  let same = 0;
  for (let i = 0; i < 400 && same < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}
