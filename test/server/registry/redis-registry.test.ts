import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRegistry, type GenerationEvent } from '../../../src/server/registry/index.js';
import { RedisRegistry, type RedisRegistryOptions } from '../../../src/server/registry/redis-registry.js';
import { appendAnswer, collect, describeRegistryContract, newGeneration } from './registry-contract.js';
import { deleteKeys, keysWithTtl, REDIS_URL, testPrefix } from './redis-test-keys.js';

const prefix = testPrefix();
const registries: RedisRegistry[] = [];
// A small page size makes the replay cross several XRANGE pages.
const open = (options: RedisRegistryOptions = {}) => {
  const registry = new RedisRegistry({ url: REDIS_URL, keyPrefix: prefix, pageSize: 4, ...options });
  registries.push(registry);
  return registry;
};
afterEach(async () => {
  await Promise.all(registries.splice(0).map((registry) => registry.close()));
});
afterAll(async () => {
  await admin.quit();
  await deleteKeys(prefix);
});

const admin = new Redis(REDIS_URL);
/** CLIENT LIST lines of this file's blocking reader connections. */
async function readerClients(): Promise<string[]> {
  const list = (await admin.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${prefix}reader `));
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describeRegistryContract('redis', { registry: () => open(), peer: () => open(), pastEndId: '99999999999999-0' });

describe('RedisRegistry', () => {
  it('uses Redis stream ids and keeps keys under its prefix', async () => {
    const registry = open();
    const id = await newGeneration(registry);
    const ids = await appendAnswer(registry, id, 1);
    for (const eventId of ids) expect(eventId).toMatch(/^\d+-\d+$/);
    const keys = await keysWithTtl(prefix);
    expect([...keys.keys()]).toEqual(expect.arrayContaining([`gen:{${id}}`, `gen:{${id}}:events`]));
    // Redis Cluster runs a multi-key script only when all its keys share a slot: one slot per generation.
    await registry.attachViewer(id);
    const own = [...(await keysWithTtl(prefix)).keys()].filter((key) => key.startsWith(`gen:{${id}}`));
    expect(own.length).toBeGreaterThanOrEqual(3);
    expect(new Set(own.map((key) => calculateSlot(`${prefix}${key}`))).size).toBe(1);
  });

  it('a reader on another instance follows a generation live and ends at its terminal event', async () => {
    const writer = open();
    const reader = open();
    const id = await newGeneration(writer);
    const following = collect(reader.read(id, undefined, new AbortController().signal));
    const ids = await appendAnswer(writer, id, 10);
    expect((await following).map((e) => e.id)).toEqual(ids);
  });

  it('a follower that lags behind pages through the backlog (XREAD COUNT) without missing or repeating', async () => {
    const registry = open();
    const id = await newGeneration(registry);
    await registry.append(id, 'start', '{}');
    const iterator = registry.read(id, undefined, new AbortController().signal)[Symbol.asyncIterator]();
    const seen = [(await iterator.next()).value as GenerationEvent];
    const waiting = iterator.next();
    await until(async () => (await readerClients()).some((c) => c.includes('cmd=xread')));
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(await registry.append(id, 'text', JSON.stringify({ text: i })));
    ids.push(await registry.append(id, 'done', '{}'));
    seen.push((await waiting).value as GenerationEvent);
    for (let step = await iterator.next(); step.done !== true; step = await iterator.next()) seen.push(step.value);
    expect(seen.slice(1).map((e) => e.id)).toEqual(ids);
  });

  it('sets the finished TTL on every key of a finished generation, a running TTL before', async () => {
    const registry = open({ ttlSeconds: 30, runningTtlSeconds: 900, leaseSeconds: 9 });
    const id = await newGeneration(registry);
    await registry.append(id, 'start', '{}');
    const detach = await registry.attachViewer(id);
    const running = await keysWithTtl(`${prefix}gen:{${id}}`);
    expect([...running.keys()].sort()).toEqual(['', ':events', ':lease', ':viewers']);
    for (const [key, ttl] of running) {
      expect(ttl).toBeGreaterThan(key.endsWith(':lease') ? 0 : 30);
      expect(ttl).toBeLessThanOrEqual(key.endsWith(':lease') ? 9 : 900);
    }
    await registry.append(id, 'cancelled', '{"partialText":""}');
    await detach();
    const ttls = await keysWithTtl(`${prefix}gen:{${id}}`);
    // The lease goes with the terminal event, the viewer set with its last viewer; the rest stays
    // readable for ttlSeconds.
    expect([...ttls.keys()].sort()).toEqual(['', ':events']);
    for (const ttl of ttls.values()) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30);
    }
  });

  it('a detach after the keys expired leaves no key behind; creating an existing id fails', async () => {
    const registry = open();
    const id = await newGeneration(registry);
    const detach = await registry.attachViewer(id);
    await deleteKeys(`${prefix}gen:{${id}}`);
    await detach();
    expect((await keysWithTtl(`${prefix}gen:{${id}}`)).size).toBe(0);
    await registry.create({ id, model: 'm', ownerKeyHash: null, detached: false });
    await expect(registry.create({ id, model: 'm', ownerKeyHash: null, detached: false })).rejects.toThrow(/exists/);
  });

  it('the process listening for cancels keeps renewing the lease of the generation it runs', async () => {
    const owner = open({ leaseSeconds: 1 });
    const id = await newGeneration(owner);
    const stop = owner.onCancelRequested(id, () => undefined);
    await deleteKeys(`${prefix}gen:{${id}}:lease`);
    await until(async () => (await keysWithTtl(`${prefix}gen:{${id}}:lease`)).size === 1);
    stop();
  });

  it('a cancel request whose Pub/Sub message was missed still reaches the owner at its next lease renewal', async () => {
    const owner = open({ leaseSeconds: 1 });
    const id = await newGeneration(owner);
    const requested = new Promise<void>((resolve) => owner.onCancelRequested(id, resolve));
    // What requestCancel records beside publishing (the message itself is "lost").
    await admin.hset(`${prefix}gen:{${id}}`, 'cancel', '1');
    await requested;
  });

  it('ends a follower when the process running the generation is gone (its lease lapsed)', async () => {
    const owner = open();
    const viewer = open({ blockMs: 100 });
    const id = await newGeneration(owner);
    owner.onCancelRequested(id, () => undefined);
    await owner.append(id, 'start', '{}');
    const reading = collect(viewer.read(id, undefined, new AbortController().signal));
    await until(async () => (await readerClients()).some((c) => c.includes('cmd=xread')));
    // The owner "crashes": its connections close, nobody renews the lease; let it lapse now.
    await owner.close();
    await deleteKeys(`${prefix}gen:{${id}}:lease`);
    expect((await reading).map((e) => e.type)).toEqual(['start']);
    expect((await viewer.get(id))?.status).toBe('running');
  });

  it('ends a follower whose generation expired without a terminal event', async () => {
    const registry = open({ blockMs: 50 });
    const id = await newGeneration(registry);
    await registry.append(id, 'start', '{}');
    const reading = collect(registry.read(id, undefined, new AbortController().signal));
    await deleteKeys(`${prefix}gen:{${id}}`);
    expect((await reading).map((e) => e.type)).toEqual(['start']);
  });

  it('pools a blocking connection after a reader ends, and drops one aborted mid-wait', async () => {
    const registry = open();
    for (let round = 0; round < 3; round++) {
      const id = await newGeneration(registry);
      await registry.append(id, 'start', '{}');
      const reading = collect(registry.read(id, undefined, new AbortController().signal));
      await until(async () => (await readerClients()).filter((c) => c.includes('cmd=xread')).length === 1);
      await registry.append(id, 'done', '{}');
      expect((await reading).map((e) => e.type)).toEqual(['start', 'done']);
    }
    expect(await readerClients()).toHaveLength(1);
    const id = await newGeneration(registry);
    const controller = new AbortController();
    const reading = collect(registry.read(id, undefined, controller.signal));
    await until(async () => (await readerClients()).filter((c) => c.includes('cmd=xread')).length === 1);
    controller.abort();
    expect(await reading).toEqual([]);
    await until(async () => (await readerClients()).length === 0);
  });

  it('with Redis unreachable, every call rejects and nothing crashes', async () => {
    const registry = open({ url: 'redis://127.0.0.1:1' });
    await expect(registry.create({ id: 'x', model: 'm', ownerKeyHash: null, detached: false })).rejects.toThrow();
    await expect(registry.append('x', 'text', '{}')).rejects.toThrow();
    await expect(collect(registry.read('x', undefined, new AbortController().signal))).rejects.toThrow();
    await expect(registry.attachViewer('x')).rejects.toThrow();
  }, 30_000);

  it('createRegistry({ redisUrl }) is the Redis registry', async () => {
    const registry = createRegistry({ redisUrl: REDIS_URL, keyPrefix: prefix, ttlSeconds: 5 });
    try {
      expect(registry).toBeInstanceOf(RedisRegistry);
      const id = await newGeneration(registry);
      expect((await registry.get(id))?.status).toBe('running');
    } finally {
      await registry.close();
    }
  });
});
