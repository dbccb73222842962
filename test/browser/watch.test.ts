/**
 * watch / share / cancel against a server with API keys: a viewer with a share token follows the owner's
 * stream, a finished generation replays, a bad token or key is a typed error, and a watcher's stop
 * only detaches.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cancel, ChatHttpError, share, streamChat, watch } from '../../src/browser/index.js';
import { collect, messages, startHarness, textEvents, textOf, type Harness } from './browser-harness.js';
import { startRecordingProxy } from './recording-proxy.js';

const KEY = 'owner-key';
let h: Harness;
let owner: { baseUrl: string; apiKey: string };
beforeAll(async () => {
  h = await startHarness({ apiKeys: [KEY] });
  owner = { baseUrl: h.url, apiKey: KEY };
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.emu.setSpeed('instant');
  h.emu.faults.clear();
  h.emu.requestLog.clear();
});

describe('watch', () => {
  it('a viewer with a share token follows the owner live and sees the same events', async () => {
    h.emu.setSpeed(2);
    const stream = streamChat({ ...owner, messages, maxTokens: 300 });
    await textEvents(stream, 2);
    const link = await share(stream.generationId!, owner);
    expect(link).toEqual({
      id: stream.generationId,
      share: expect.any(String),
      eventsPath: `/api/generations/${stream.generationId}/events?share=${link.share}`,
    });
    const viewer = watch(link.id, { baseUrl: h.url, share: link.share }); // no API key
    const [mine, theirs] = await Promise.all([collect(stream), collect(viewer)]);
    expect(mine.at(-1)?.type).toBe('done');
    expect(theirs).toEqual(mine);
    expect(viewer.snapshot).toMatchObject({ text: stream.snapshot.text, state: { phase: 'done' } });
  });

  it('a finished generation replays everything; lastEventId replays only what follows', async () => {
    const stream = streamChat({ ...owner, messages, maxTokens: 60 });
    const events = await collect(stream);
    const id = stream.generationId!;
    const replay = await collect(watch(id, owner));
    expect(replay).toEqual(events);

    const after = await collect(watch(id, { ...owner, lastEventId: '3' }));
    expect(after).toEqual(events.slice(3));
    expect(textOf(after)).toBe(textOf(events.slice(3)));
  });

  it('a watcher re-attaches with its share token after a drop', async () => {
    const proxy = await startRecordingProxy(Number(new URL(h.url).port));
    try {
      h.emu.setSpeed(2);
      const stream = streamChat({ ...owner, messages, maxTokens: 400 });
      const link = await share(stream.generationId ?? (await firstId(stream)), owner);
      const viewer = watch(link.id, { baseUrl: proxy.url, share: link.share, reconnect: { initialDelayMs: 20 } });
      await textEvents(viewer, 3);
      proxy.dropAll();
      const [mine, theirs] = await Promise.all([collect(stream), collect(viewer)]);
      expect(theirs.map((event) => event.type)).toContain('reconnected');
      expect(textOf(theirs)).toBe(textOf(mine));
      const attaches = proxy.requests.filter((request) => request.method === 'GET');
      expect(attaches).toHaveLength(2);
      expect(attaches.every((request) => request.path.endsWith(`?share=${link.share}`))).toBe(true);
      expect(attaches[0]!.headers['last-event-id']).toBeUndefined();
      expect(attaches[1]!.headers['last-event-id']).toMatch(/^\d+$/);
      expect(attaches.some((request) => 'authorization' in request.headers)).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it('stop() on a watcher only detaches: the owner gets the whole answer', async () => {
    h.emu.setSpeed(2);
    const stream = streamChat({ ...owner, messages, maxTokens: 300 });
    const viewer = watch(await firstId(stream), owner);
    await textEvents(viewer, 2);
    await viewer.stop();
    expect(viewer.snapshot.state).toEqual({ phase: 'stopped' });
    expect((await stream.finished).state).toEqual({ phase: 'done' });
  });

  it('a bad share token is a 404 error event (no retry: the generation is not there for it)', async () => {
    const stream = streamChat({ ...owner, messages, maxTokens: 10 });
    await stream.finished;
    const viewer = watch(stream.generationId!, { baseUrl: h.url, share: 'not-a-token' });
    expect(await collect(viewer)).toEqual([
      expect.objectContaining({ type: 'error', status: 404, errorType: 'not_found', partialText: '' }),
    ]);
    expect(viewer.snapshot.state).toEqual({ phase: 'error', retryable: false });
  });

  it('a wrong API key on streamChat is a 401 error event naming authorization', async () => {
    const events = await collect(streamChat({ baseUrl: h.url, apiKey: 'wrong', messages }));
    expect(events).toEqual([
      expect.objectContaining({ type: 'error', status: 401, field: 'authorization', retryable: false }),
    ]);
  });
});

describe('cancel and share', () => {
  it('cancel() stops a running generation for every viewer', async () => {
    h.emu.setSpeed(2);
    const stream = streamChat({ ...owner, messages, maxTokens: 600, detached: true });
    const viewer = watch(await firstId(stream), owner);
    await textEvents(stream, 2);
    await cancel(stream.generationId!, owner);
    const [mine, theirs] = await Promise.all([stream.finished, viewer.finished]);
    expect(mine.state).toEqual({ phase: 'stopped' });
    expect(theirs.state).toEqual({ phase: 'stopped' });
    expect(stream.snapshot.text).toBe(viewer.snapshot.text);
    await h.emu.requestLog.waitFor((entry) => entry.outcome === 'client-aborted', 20_000);
  });

  it('cancel() and share() reject with ChatHttpError: 404 for an unknown id, 401 without the key', async () => {
    await expect(cancel('no-such-generation', owner)).rejects.toMatchObject({ status: 404, errorType: 'not_found' });
    const error = await share('no-such-generation', { baseUrl: h.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatHttpError);
    expect(error).toMatchObject({ status: 401, field: 'authorization' });
  });
});

/** The generation id, from the headers or the start event. */
async function firstId(stream: ReturnType<typeof streamChat>): Promise<string> {
  while (stream.generationId === undefined && stream.snapshot.endedAt === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return stream.generationId!;
}
