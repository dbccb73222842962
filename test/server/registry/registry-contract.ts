/**
 * The behaviour every GenerationRegistry backend must show, run against memory and Redis alike:
 * replay after any id gives exactly the missing events, live readers follow and stop at the terminal
 * event, readers agree, cancels reach listeners, viewer counts add up.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GenerationEvent, GenerationRegistry } from '../../../src/server/registry/types.js';

export interface ContractContext {
  registry: () => GenerationRegistry;
  /** A second instance sharing the same store (another "process"), when the backend has one. */
  peer?: () => GenerationRegistry;
  /** A well-formed event id later than any this test's logs hold. */
  pastEndId: string;
}

export async function collect(events: AsyncIterable<GenerationEvent>, limit = Infinity): Promise<GenerationEvent[]> {
  const seen: GenerationEvent[] = [];
  if (limit <= 0) return seen;
  for await (const event of events) {
    seen.push(event);
    if (seen.length >= limit) break;
  }
  return seen;
}

export async function newGeneration(registry: GenerationRegistry, detached = false): Promise<string> {
  const id = randomUUID();
  await registry.create({ id, model: 'test-model', ownerKeyHash: null, detached });
  return id;
}

/** Appends start, `count` text events and done; returns the ids in order. */
export async function appendAnswer(registry: GenerationRegistry, id: string, count: number): Promise<string[]> {
  const ids = [await registry.append(id, 'start', JSON.stringify({ id, model: 'test-model' }))];
  for (let i = 0; i < count; i++) ids.push(await registry.append(id, 'text', JSON.stringify({ text: `w${i} ` })));
  ids.push(await registry.append(id, 'done', JSON.stringify({ stopReason: 'end_turn' })));
  return ids;
}

const signal = () => new AbortController().signal;

export function describeRegistryContract(name: string, context: ContractContext): void {
  describe(`${name}: GenerationRegistry contract`, () => {
    it('creates, reads back and finishes a generation', async () => {
      const registry = context.registry();
      const id = randomUUID();
      const info = await registry.create({ id, model: 'm', ownerKeyHash: 'abc', detached: true });
      expect(info).toMatchObject({ id, model: 'm', ownerKeyHash: 'abc', detached: true, status: 'running' });
      expect(await registry.get(id)).toEqual(info);
      expect(await registry.get(randomUUID())).toBeUndefined();
      await appendAnswer(registry, id, 2);
      expect((await registry.get(id))?.status).toBe('done');
      await expect(registry.append(id, 'text', '{"text":"late"}')).rejects.toThrow();
      await expect(registry.append(randomUUID(), 'text', '{}')).rejects.toThrow();
    });

    it('replays after every possible id exactly the missing events, no gap and no duplicate', async () => {
      const registry = context.registry();
      const id = await newGeneration(registry);
      const ids = await appendAnswer(registry, id, 20);
      const all = await collect(registry.read(id, undefined, signal()));
      expect(all.map((e) => e.id)).toEqual(ids);
      expect(all[0]?.type).toBe('start');
      expect(all.at(-1)).toMatchObject({ type: 'done', data: '{"stopReason":"end_turn"}' });
      for (let i = 0; i < ids.length; i++) {
        const rest = await collect(registry.read(id, ids[i], signal()));
        expect(rest).toEqual(all.slice(i + 1));
      }
    });

    it('an unknown or unparseable Last-Event-ID replays from the start; an unknown generation is empty', async () => {
      const registry = context.registry();
      const id = await newGeneration(registry);
      const ids = await appendAnswer(registry, id, 2);
      expect((await collect(registry.read(id, 'not-an-id', signal()))).map((e) => e.id)).toEqual(ids);
      expect(await collect(registry.read(randomUUID(), undefined, signal()))).toEqual([]);
      // An id past the end of this log (another generation's, a newer process's) is not trusted either.
      expect((await collect(registry.read(id, context.pastEndId, signal()))).map((e) => e.id)).toEqual(ids);
    });

    it('live readers follow appends, see identical sequences and end after the terminal event', async () => {
      const registry = context.registry();
      const id = await newGeneration(registry);
      const first = collect(registry.read(id, undefined, signal()));
      const second = collect(registry.read(id, undefined, signal()));
      const ids = await appendAnswer(registry, id, 30);
      const [a, b] = await Promise.all([first, second]);
      expect(a.map((e) => e.id)).toEqual(ids);
      expect(b).toEqual(a);
      expect(a.map((e) => e.type)).toEqual(['start', ...Array<string>(30).fill('text'), 'done']);
    });

    it('a viewer that reconnects with its last id while the generation runs misses nothing', async () => {
      const registry = context.registry();
      const id = await newGeneration(registry);
      await registry.append(id, 'start', '{}');
      for (let i = 0; i < 5; i++) await registry.append(id, 'text', JSON.stringify({ text: `a${i}` }));
      const controller = new AbortController();
      const before = await collect(registry.read(id, undefined, controller.signal), 3);
      controller.abort();
      const resumed = collect(registry.read(id, before.at(-1)?.id, signal()));
      for (let i = 0; i < 5; i++) await registry.append(id, 'text', JSON.stringify({ text: `b${i}` }));
      await registry.append(id, 'error', JSON.stringify({ type: 'ServiceError' }));
      const after = await resumed;
      const all = await collect(registry.read(id, undefined, signal()));
      expect([...before, ...after]).toEqual(all);
      expect(all).toHaveLength(12);
      expect((await registry.get(id))?.status).toBe('error');
    });

    it('aborting the signal ends a waiting reader', async () => {
      const registry = context.registry();
      const id = await newGeneration(registry);
      await registry.append(id, 'start', '{}');
      const controller = new AbortController();
      const reading = collect(registry.read(id, undefined, controller.signal));
      await registry.append(id, 'text', '{"text":"x"}');
      setTimeout(() => controller.abort(), 20);
      const seen = await reading;
      expect(seen.length).toBeLessThanOrEqual(2);
      expect(seen[0]?.type).toBe('start');
    });

    it('a cancel request reaches the listener until it unsubscribes', async () => {
      const registry = context.registry();
      const other = context.peer?.() ?? registry;
      const id = await newGeneration(registry);
      let calls = 0;
      const requested = new Promise<void>((resolve) => {
        const stop = registry.onCancelRequested(id, () => {
          calls++;
          stop();
          resolve();
        });
      });
      await other.requestCancel(id);
      await requested;
      await other.requestCancel(id);
      await registry.append(id, 'cancelled', '{"partialText":""}');
      expect(calls).toBe(1);
    });

    it('counts viewers (detach is idempotent)', async () => {
      const registry = context.registry();
      const other = context.peer?.() ?? registry;
      const id = await newGeneration(registry);
      expect(await registry.viewerCount(id)).toBe(0);
      const one = await registry.attachViewer(id);
      const two = await other.attachViewer(id);
      expect(await registry.viewerCount(id)).toBe(2);
      await one();
      await one();
      expect(await other.viewerCount(id)).toBe(1);
      await two();
      expect(await registry.viewerCount(id)).toBe(0);
    });
  });
}
