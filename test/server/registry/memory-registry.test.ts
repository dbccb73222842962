import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRegistry } from '../../../src/server/registry/index.js';
import { MemoryRegistry } from '../../../src/server/registry/memory-registry.js';
import { appendAnswer, collect, describeRegistryContract, newGeneration } from './registry-contract.js';

const registries: MemoryRegistry[] = [];
const open = (options?: ConstructorParameters<typeof MemoryRegistry>[0]) => {
  const registry = new MemoryRegistry(options);
  registries.push(registry);
  return registry;
};
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(registries.splice(0).map((registry) => registry.close()));
});

describeRegistryContract('memory', { registry: () => open(), pastEndId: '999' });

describe('MemoryRegistry', () => {
  it('numbers events 1, 2, 3 ... and hands every reader the same stored objects (no per-viewer copies)', async () => {
    const registry = open();
    const id = await newGeneration(registry);
    expect(await appendAnswer(registry, id, 3)).toEqual(['1', '2', '3', '4', '5']);
    const a = await collect(registry.read(id, undefined, new AbortController().signal));
    const b = await collect(registry.read(id, '2', new AbortController().signal));
    expect(b[0]).toBe(a[2]);
  });

  it('a reader that stops early leaves no waiter behind', async () => {
    const registry = open();
    const id = await newGeneration(registry);
    await registry.append(id, 'start', '{}');
    const controller = new AbortController();
    const reading = collect(registry.read(id, undefined, controller.signal));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await reading).toHaveLength(1);
    // The next append wakes nobody and the generation still finishes normally.
    await registry.append(id, 'done', '{}');
    expect((await registry.get(id))?.status).toBe('done');
  });

  it('expires a finished generation after its TTL, and not before it finishes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const registry = open({ ttlSeconds: 60 });
    const running = await newGeneration(registry);
    const finished = await newGeneration(registry);
    await appendAnswer(registry, finished, 1);
    vi.advanceTimersByTime(59_000);
    expect(await registry.get(finished)).toBeDefined();
    vi.advanceTimersByTime(2_000);
    expect(await registry.get(finished)).toBeUndefined();
    expect(await collect(registry.read(finished, undefined, new AbortController().signal))).toEqual([]);
    expect((await registry.get(running))?.status).toBe('running');
  });

  it('close() ends readers that are waiting', async () => {
    const registry = open();
    const id = await newGeneration(registry);
    const reading = collect(registry.read(id, undefined, new AbortController().signal));
    await new Promise((resolve) => setImmediate(resolve));
    await registry.close();
    expect(await reading).toEqual([]);
  });

  it('createRegistry() without a Redis URL is the memory registry', () => {
    const saved = process.env.REDIS_URL;
    delete process.env.REDIS_URL;
    try {
      expect(createRegistry()).toBeInstanceOf(MemoryRegistry);
    } finally {
      if (saved !== undefined) process.env.REDIS_URL = saved;
    }
  });
});
