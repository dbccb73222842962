import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startHarness, type Harness } from './server-harness.js';
import { SseReader, type ParsedSse } from './sse-parse.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ apiKeys: ['key-a', 'key-b'] });
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  h.emu.setSpeed('instant');
  h.emu.faults.clear();
});

const A = { authorization: 'Bearer key-a' };
const B = { authorization: 'Bearer key-b' };
const body = (extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content: 'Write a long story about a lighthouse.' }],
  maxTokens: 400,
  ...extra,
});
const count = (type: string, n: number) => (events: ParsedSse[]) => events.filter((e) => e.event === type).length >= n;
const ended = (events: ParsedSse[]) => ['done', 'error', 'cancelled'].includes(events.at(-1)?.event ?? '');

function attach(id: string, headers: Record<string, string>, query = ''): Promise<Response> {
  return fetch(`${h.url}/api/generations/${id}/events${query}`, { headers });
}

describe('generations: reconnect, viewers, cancel, disconnect', () => {
  it('reconnecting with Last-Event-ID (header or query) replays exactly the missed events', async () => {
    h.emu.setSpeed(4);
    const first = await postJson(`${h.url}/api/chat`, body({ detached: true }), A);
    const id = first.headers.get('x-generation-id')!;
    const reader = new SseReader(first);
    const seen = await reader.readUntil(count('text', 3));
    await reader.cancel(); // the browser drops; the detached generation goes on
    const lastId = seen.at(-1)!.id!;

    const resumed = await new SseReader(await attach(id, { ...A, 'last-event-id': lastId })).readAll();
    const viaQuery = await new SseReader(await attach(id, A, `?lastEventId=${lastId}`)).readAll();
    const whole = await new SseReader(await attach(id, A)).readAll();

    expect(ended(whole)).toBe(true);
    expect([...seen, ...resumed]).toEqual(whole);
    expect(viaQuery).toEqual(resumed);
    expect(new Set(whole.map((e) => e.id)).size).toBe(whole.length);
  });

  it('two viewers see identical streams, and another key sees nothing', async () => {
    h.emu.setSpeed(4);
    const starter = await postJson(`${h.url}/api/chat`, body({ detached: true }), A);
    const id = starter.headers.get('x-generation-id')!;
    const [one, two] = await Promise.all([attach(id, A), attach(id, A)]);
    const [a, b, s] = await Promise.all([
      new SseReader(one).readAll(),
      new SseReader(two).readAll(),
      new SseReader(starter).readAll(),
    ]);
    expect(a).toEqual(b);
    expect(a).toEqual(s);
    expect(a.at(-1)!.event).toBe('done');
    expect((await attach(id, B)).status).toBe(404);
    expect((await postJson(`${h.url}/api/generations/${id}/cancel`, {}, B)).status).toBe(404);
  });

  it('cancel reaches every viewer and closes the upstream request', async () => {
    h.emu.setSpeed('realistic');
    h.emu.requestLog.clear();
    const starter = new SseReader(await postJson(`${h.url}/api/chat`, body({ maxTokens: 2000 }), A));
    const started = await starter.readUntil(count('text', 1));
    const id = (JSON.parse(started[0]!.data) as { id: string }).id;
    const viewer = new SseReader(await attach(id, A));
    await viewer.readUntil(count('text', 1));
    const cancel = await postJson(`${h.url}/api/generations/${id}/cancel`, {}, A);
    expect(cancel.status).toBe(202);
    const [s, v] = await Promise.all([starter.readAll(), viewer.readAll()]);
    expect(s.at(-1)!.event).toBe('cancelled');
    expect(v.at(-1)).toEqual(s.at(-1));
    const entry = await h.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5_000);
    expect(entry.outcome).toBe('client-aborted');
  });

  it('the last viewer going away stops the generation upstream (not detached)', async () => {
    h.emu.setSpeed('realistic');
    h.emu.requestLog.clear();
    const reader = new SseReader(await postJson(`${h.url}/api/chat`, body({ maxTokens: 2000 }), A));
    await reader.readUntil(count('text', 1));
    await reader.cancel();
    const entry = await h.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5_000);
    expect(entry.outcome).toBe('client-aborted');
  });

  it('a share token lets a viewer without the key watch, and nothing more', async () => {
    h.emu.setSpeed(4);
    const starter = await postJson(`${h.url}/api/chat`, body({ detached: true, maxTokens: 200 }), A);
    const id = starter.headers.get('x-generation-id')!;
    expect((await postJson(`${h.url}/api/generations/${id}/share`, {}, B)).status).toBe(404);
    const shared = (await (await postJson(`${h.url}/api/generations/${id}/share`, {}, A)).json()) as {
      share: string;
      eventsPath: string;
    };
    const watched = await new SseReader(await fetch(`${h.url}${shared.eventsPath}`)).readAll();
    expect(watched).toEqual(await new SseReader(starter).readAll());
    expect((await attach(id, {}, `?share=${shared.share.slice(1)}x`)).status).toBe(404);
    expect((await attach(id, {}, '')).status).toBe(401);
    const cancel = await fetch(`${h.url}/api/generations/${id}/cancel?share=${shared.share}`, { method: 'POST' });
    expect(cancel.status).toBe(401);
  });
});
