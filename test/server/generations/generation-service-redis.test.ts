/**
 * Two "processes" sharing one real Redis: service A runs generations, service B (its own registry
 * connections and its own client) views, reconnects and cancels them.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BedrockStreamingClient } from '../../../src/index.js';
import type { Emulator } from '../../../src/emulator/server.js';
import { GenerationService } from '../../../src/server/generations/generation-service.js';
import { RedisRegistry } from '../../../src/server/registry/redis-registry.js';
import { startRedisProxy } from '../registry/redis-proxy.js';
import { deleteKeys, REDIS_URL, testPrefix } from '../registry/redis-test-keys.js';
import {
  clientFor,
  data,
  holdOpen,
  readAll,
  readUntil,
  start,
  startTestEmulator,
  textOf,
  upstreamEnded,
} from './service-harness.js';

const prefix = testPrefix();
let emu: Emulator;
let clients: BedrockStreamingClient[];
let registries: RedisRegistry[];
let a: GenerationService;
let b: GenerationService;

beforeAll(async () => {
  emu = await startTestEmulator();
  clients = [clientFor(emu), clientFor(emu)];
});
beforeEach(() => {
  registries = [0, 1].map(() => new RedisRegistry({ url: REDIS_URL, keyPrefix: prefix, ttlSeconds: 60 }));
  a = new GenerationService({ registry: registries[0]!, client: clients[0]! });
  b = new GenerationService({ registry: registries[1]!, client: clients[1]! });
});
afterEach(async () => {
  await Promise.all([a.shutdown(), b.shutdown()]);
  await Promise.all(registries.map((registry) => registry.close()));
  emu.faults.clear();
  emu.requestLog.clear();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await emu.close();
  await deleteKeys(prefix);
});

/** A process running generations and one viewing them, with leases of `leaseSeconds` (renewed every third). */
function ownerAndViewer(leaseSeconds: number) {
  const owner = new RedisRegistry({ url: REDIS_URL, keyPrefix: prefix, leaseSeconds });
  const viewer = new RedisRegistry({ url: REDIS_URL, keyPrefix: prefix, leaseSeconds, blockMs: 100 });
  return {
    owner,
    viewer,
    running: new GenerationService({ registry: owner, client: clients[0]! }),
    watching: new GenerationService({ registry: viewer, client: clients[1]! }),
  };
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('GenerationService across two processes sharing Redis', () => {
  it('a viewer on B follows A live, and reconnecting on B with Last-Event-ID misses nothing', async () => {
    holdOpen(emu, 150);
    const { id } = await start(a);
    const onA = readAll(a, id);
    const before = await readUntil(b, id, 'text');
    const after = await readAll(b, id, before.at(-1)?.id);
    const all = await onA;
    expect([...before, ...after]).toEqual(all);
    expect(all.at(-1)?.type).toBe('done');
    for (const event of all) expect(event.id).toMatch(/^\d+-\d+$/);
    expect(await readAll(b, id)).toEqual(all);
  });

  it('cancel on B stops the upstream request run by A, for every viewer', async () => {
    holdOpen(emu);
    const { id } = await start(a);
    const onA = readAll(a, id);
    const onB = readAll(b, id);
    await readUntil(b, id, 'text');
    await b.cancel(id);
    expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
    const [seenA, seenB] = await Promise.all([onA, onB]);
    expect(seenB).toEqual(seenA);
    expect(seenA.at(-1)?.type).toBe('cancelled');
    expect(data(seenA.at(-1))).toMatchObject({ partialText: textOf(seenA) });
    expect((await b.get(id))?.status).toBe('cancelled');
  });

  it("the last viewer leaving on B stops A's upstream; a detached generation runs on", async () => {
    holdOpen(emu);
    const { id } = await start(a);
    await readUntil(b, id, 'text');
    expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
    expect((await readAll(b, id)).at(-1)?.type).toBe('cancelled');

    emu.requestLog.clear();
    holdOpen(emu, 100);
    const detached = await start(a, true);
    await readUntil(b, detached.id, 'text');
    // The stall fired, then the stream ran to its end: completed, with the fault recorded.
    expect(await upstreamEnded(emu)).toMatchObject({ outcome: 'completed', fault: 'stall' });
    expect((await readAll(b, detached.id)).at(-1)?.type).toBe('done');
  });

  it('a mid-stream Bedrock error reaches a viewer on B as an error event with the partial text', async () => {
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 4 } });
    const { id } = await start(a);
    const events = await readAll(b, id);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    expect(data(last)).toMatchObject({ partialText: textOf(events) });
    expect(textOf(events).length).toBeGreaterThan(0);
  });

  it("A's shutdown gives B's viewer the final ServerShuttingDown event", async () => {
    holdOpen(emu);
    const { id } = await start(a);
    const onB = readAll(b, id);
    await readUntil(b, id, 'text');
    await a.shutdown();
    const events = await onB;
    expect(data(events.at(-1))).toMatchObject({ type: 'ServerShuttingDown', retryable: true });
    expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
  });

  it("viewers on B get a GenerationLost error when A's process dies mid-generation", async () => {
    const owner = new RedisRegistry({ url: REDIS_URL, keyPrefix: prefix });
    const viewer = new RedisRegistry({ url: REDIS_URL, keyPrefix: prefix, blockMs: 100 });
    const dying = new GenerationService({ registry: owner, client: clients[0]! });
    const watching = new GenerationService({ registry: viewer, client: clients[1]! });
    try {
      holdOpen(emu);
      const { id } = await start(dying);
      const first = readAll(watching, id);
      const second = readAll(watching, id);
      await readUntil(b, id, 'text');
      // A "crashes": its connections close and nobody renews the lease; let it lapse now.
      await owner.close();
      await deleteKeys(`${prefix}gen:{${id}}:lease`);
      const [one, two] = await Promise.all([first, second]);
      expect(two).toEqual(one);
      expect(one.map((e) => e.type)).toEqual(['start', 'text', 'error']);
      expect(data(one.at(-1))).toMatchObject({ type: 'GenerationLost', retryable: true });
      expect((await watching.get(id))?.status).toBe('error');
    } finally {
      await dying.shutdown();
      await viewer.close();
    }
  }, 20_000);

  it('a viewer process that dies stops counting once its lease lapses: the generation only it watched is cancelled', async () => {
    // Leases of 1 s (renewed every 333 ms): the owner drops a lapsed viewer lease within about 1.3 s.
    const { owner, viewer, running, watching } = ownerAndViewer(1);
    try {
      holdOpen(emu);
      const { id } = await start(running);
      const watched = readAll(watching, id).catch(() => []);
      await until(async () => (await owner.viewerCount(id)) === 1);
      // The viewer's process "crashes": its connections close; nothing detaches or renews its lease.
      await viewer.close();
      await watched;
      expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
      await until(async () => (await owner.get(id))?.status === 'cancelled');
      expect(await owner.viewerCount(id)).toBe(0);
    } finally {
      await running.shutdown();
      await owner.close();
    }
  }, 20_000);

  it('a viewer whose process lives keeps its lease, and the generation, past the lease time', async () => {
    // Leases of 2 s, renewed every 667 ms: a busy machine would have to stall the loop for over a second.
    const { owner, viewer, running, watching } = ownerAndViewer(2);
    const stop = new AbortController();
    try {
      holdOpen(emu);
      const { id } = await start(running);
      const watched = readAll(watching, id, undefined, stop.signal);
      await until(async () => (await owner.viewerCount(id)) === 1);
      // Over two lease periods: renewed every third of one, the lease never lapses.
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      expect(await owner.viewerCount(id)).toBe(1);
      expect((await owner.get(id))?.status).toBe('running');
      expect(emu.requestLog.entries().map((entry) => entry.outcome)).toEqual(['pending']);
      stop.abort();
      await watched;
      // It left the usual way: detached at once, and the generation (not detached) stops.
      expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
    } finally {
      await Promise.all([running.shutdown(), watching.shutdown()]);
      await Promise.all([owner.close(), viewer.close()]);
    }
  }, 20_000);

  it('with Redis unreachable, start() rejects and nothing is sent upstream', async () => {
    const registry = new RedisRegistry({ url: 'redis://127.0.0.1:1', keyPrefix: prefix });
    const service = new GenerationService({ registry, client: clients[0]! });
    try {
      await expect(start(service)).rejects.toThrow();
      await expect(readAll(service, 'missing')).rejects.toThrow();
      expect(emu.requestLog.entries()).toEqual([]);
    } finally {
      await registry.close();
    }
  }, 20_000);

  it('Redis going away mid-generation closes upstream and fails the viewer; nothing crashes', async () => {
    const proxy = await startRedisProxy();
    const registry = new RedisRegistry({ url: proxy.url, keyPrefix: prefix });
    const service = new GenerationService({ registry, client: clients[0]! });
    try {
      // At a realistic pace upstream is still streaming when Redis goes; the next append fails and closes it.
      emu.setSpeed('realistic');
      const { id } = await start(service);
      const viewer = readAll(service, id);
      await readUntil(b, id, 'text');
      await proxy.kill();
      await expect(viewer).rejects.toThrow();
      expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
      await service.shutdown();
    } finally {
      emu.setSpeed('instant');
      await registry.close();
    }
  }, 20_000);
});
