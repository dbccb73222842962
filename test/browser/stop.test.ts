/**
 * Stopping: the caller's signal and stop() end the stream with `cancelled` and close the upstream
 * Bedrock request, for plain and detached generations, even before the generation id is known; no
 * listener is left on the caller's signal.
 */
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { streamChat, watch, type ChatEvent } from '../../src/browser/index.js';
import { collect, messages, startHarness, textEvents, textOf, type Harness } from './browser-harness.js';

const body = { messages, maxTokens: 600 };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.emu.setSpeed('instant');
  h.emu.faults.clear();
  h.emu.requestLog.clear();
});

const upstreamClosed = () => h.emu.requestLog.waitFor((entry) => entry.outcome === 'client-aborted', 20_000);

/** The generation's own event log, read back from the server: how it ended there. */
async function serverEnding(id: string): Promise<ChatEvent | undefined> {
  return (await collect(watch(id, { baseUrl: h.url, reconnect: false }))).at(-1);
}

describe.each([{ detached: false }, { detached: true }])('stop (detached: $detached)', ({ detached }) => {
  it('aborting the signal mid-answer ends with cancelled and the partial text, and closes upstream', async () => {
    h.emu.setSpeed(2);
    const controller = new AbortController();
    const seen: ChatEvent[] = [];
    const stream = streamChat({
      baseUrl: h.url,
      ...body,
      detached,
      signal: controller.signal,
      onEvent: (event) => seen.push(event),
    });
    await textEvents(stream, 3);
    expect(stream.snapshot.state.phase).toBe('streaming');
    controller.abort();
    // At once: the terminal event does not wait for the server.
    expect(seen.at(-1)).toEqual({ type: 'cancelled', partialText: stream.snapshot.text, reason: 'stopped' });
    expect(stream.snapshot.state).toEqual({ phase: 'stopped' });
    await stream.stop(); // the same stop: resolves once the server was told
    const final = await stream.finished;
    expect(final.text).toBe(textOf(seen));
    expect(final.text.length).toBeGreaterThan(0);
    expect(seen.filter((event) => event.type === 'cancelled')).toHaveLength(1);

    const entry = await upstreamClosed();
    expect(entry.chunksSent).toBeLessThan(100);
    expect(await serverEnding(stream.generationId!)).toMatchObject({ type: 'cancelled' });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborting before the generation id is known still cancels it, once the headers arrive', async () => {
    const held = await startHarness({ headersDelayMs: 2000 });
    try {
      held.emu.setSpeed(1);
      held.emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 800 } });
      const controller = new AbortController();
      const seen: ChatEvent[] = [];
      const stream = streamChat({
        baseUrl: held.url,
        ...body,
        detached,
        signal: controller.signal,
        onEvent: (event) => seen.push(event),
      });
      controller.abort();
      expect(stream.generationId).toBeUndefined();
      expect(seen).toEqual([{ type: 'cancelled', partialText: '', reason: 'stopped' }]);
      await stream.stop();
      // The server's held headers named the generation; the client cancelled it and closed the request.
      const id = stream.generationId;
      expect(id).toEqual(expect.any(String));
      await held.emu.requestLog.waitFor((entry) => entry.outcome === 'client-aborted', 20_000);
      const ending = (await collect(watch(id!, { baseUrl: held.url, reconnect: false }))).at(-1);
      expect(ending).toMatchObject({ type: 'cancelled' });
      expect(seen).toHaveLength(1);
    } finally {
      await held.close();
    }
  });
});

describe('stop', () => {
  it('leaving a for-await loop early stops the stream and closes upstream', async () => {
    h.emu.setSpeed(2);
    const stream = streamChat({ baseUrl: h.url, ...body });
    let texts = 0;
    for await (const event of stream) {
      if (event.type === 'text' && ++texts === 3) break;
    }
    const final = await stream.finished;
    expect(final.state).toEqual({ phase: 'stopped' });
    await upstreamClosed();
  });

  it('stop() after done changes nothing (no cancelled, the generation stays done)', async () => {
    const stream = streamChat({ baseUrl: h.url, messages, maxTokens: 30 });
    const events = await collect(stream);
    await stream.stop();
    expect(stream.snapshot.state).toEqual({ phase: 'done' });
    expect(events.at(-1)?.type).toBe('done');
    expect(await serverEnding(stream.generationId!)).toMatchObject({ type: 'done' });
  });

  it('an already aborted signal sends no request at all', async () => {
    const controller = new AbortController();
    controller.abort();
    const stream = streamChat({ baseUrl: h.url, messages, signal: controller.signal });
    expect(await collect(stream)).toEqual([{ type: 'cancelled', partialText: '', reason: 'stopped' }]);
    expect(h.emu.requestLog.entries()).toHaveLength(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('one long-lived signal across many streams keeps no listener from the finished ones', async () => {
    const controller = new AbortController();
    const ok = { baseUrl: h.url, messages, maxTokens: 10, signal: controller.signal };
    await Promise.all([
      streamChat(ok).finished,
      streamChat({ ...ok, temperature: 5 }).finished, // error
      streamChat({ ...ok, baseUrl: 'http://127.0.0.1:1' }).finished, // network error
    ]);
    const stopped = streamChat(ok);
    await stopped.stop();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
