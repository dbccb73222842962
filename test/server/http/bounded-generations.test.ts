/**
 * Bounded memory and forgiving reconnects (issue 14, defect 13): the in-memory store keeps at most
 * `maxFinishedGenerations` finished generations (the oldest go first; running ones are never
 * dropped), and a non-detached /api/chat whose browser reconnects within `disconnectGraceMs` finds
 * its generation still running instead of cancelled.
 */
import { describe, expect, it } from 'vitest';
import { MemoryRegistry } from '../../../src/server/registry/memory-registry.js';
import { startEmulator } from '../../../src/emulator/server.js';
import { createServer } from '../../../src/server/index.js';
import { clientFor, postJson, startHarness } from './server-harness.js';
import { SseReader } from './sse-parse.js';

const chat = { messages: [{ role: 'user', content: 'Tell me a long story.' }], maxTokens: 300 };

describe('the finished-generation store is bounded', () => {
  it('keeps the newest maxFinished finished generations and every running one', async () => {
    const registry = new MemoryRegistry({ maxFinished: 3 });
    const fields = (id: string) => ({ id, model: 'm', ownerKeyHash: null, detached: false });
    await registry.create(fields('running'));
    for (let i = 0; i < 6; i++) {
      await registry.create(fields(`g${i}`));
      await registry.append(`g${i}`, 'done', '{}');
    }
    expect(registry.size).toBe(4);
    expect(await registry.get('g2')).toBeUndefined();
    expect(await registry.get('g3')).toMatchObject({ status: 'done' });
    expect(await registry.get('running')).toMatchObject({ status: 'running' });
    await registry.close();
  });

  it('over HTTP: the oldest finished generation is gone (404), the newest replays', async () => {
    const h = await startHarness({ maxFinishedGenerations: 2 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await postJson(`${h.url}/api/chat`, { ...chat, maxTokens: 10 });
        ids.push(response.headers.get('x-generation-id')!);
        await response.text();
      }
      expect((await fetch(`${h.url}/api/generations/${ids[0]}/events`)).status).toBe(404);
      const newest = await fetch(`${h.url}/api/generations/${ids[3]}/events`);
      expect(newest.status).toBe(200);
      expect(await newest.text()).toContain('event: done');
    } finally {
      await h.close();
    }
  });
});

describe('disconnect grace', () => {
  it('by default, a browser that reconnects right after dropping finds its generation running, then done', async () => {
    // The server's own default grace (the shared harness turns it off for tests that expect an immediate stop).
    const emu = await startEmulator({ port: 0, speed: 'instant' });
    const server = createServer({ client: clientFor(emu), logger: false });
    const h = { emu, url: await server.listen(0) };
    try {
      h.emu.setSpeed(4);
      const first = await postJson(`${h.url}/api/chat`, chat);
      const id = first.headers.get('x-generation-id')!;
      const reader = new SseReader(first);
      const seen = await reader.readUntil((events) => events.some((event) => event.event === 'text'));
      await reader.cancel(); // the page reloads
      const again = await fetch(`${h.url}/api/generations/${id}/events`, {
        headers: { 'last-event-id': seen.at(-1)!.id! },
      });
      const rest = await new SseReader(again).readAll();
      expect(rest.at(-1)?.event).toBe('done');
      expect(rest[0]!.id).not.toBe(seen.at(-1)!.id); // exactly the missed events
      expect((await h.emu.requestLog.waitFor((e) => e.outcome !== 'pending')).outcome).toBe('completed');
    } finally {
      await server.close({ graceMs: 500 });
      server.context.client.destroy();
      await emu.close();
    }
  });
});
