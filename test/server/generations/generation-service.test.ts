import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError, ValidationError, type BedrockStreamingClient } from '../../../src/index.js';
import type { Emulator } from '../../../src/emulator/server.js';
import { GenerationService } from '../../../src/server/generations/generation-service.js';
import { MemoryRegistry } from '../../../src/server/registry/memory-registry.js';
import type { GenerationEvent, GenerationEventType } from '../../../src/server/registry/types.js';
import {
  clientFor,
  data,
  holdOpen,
  MODEL,
  readAll,
  readUntil,
  start,
  startTestEmulator,
  textOf,
  upstreamEnded,
} from './service-harness.js';

let emu: Emulator;
let client: BedrockStreamingClient;
let registry: MemoryRegistry;
let service: GenerationService;
beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu);
});
afterEach(async () => {
  await service.shutdown();
  await registry.close();
  emu.faults.clear();
  emu.requestLog.clear();
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});
/** A registry slower than upstream: text appends wait until the test calls release(). */
class GatedRegistry extends MemoryRegistry {
  release!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.release = resolve));
  #onHeld!: () => void;
  /** Resolves when the first text append is waiting. */
  readonly held = new Promise<void>((resolve) => (this.#onHeld = resolve));

  override async append(id: string, type: GenerationEventType, data: string): Promise<string> {
    if (type === 'text') {
      this.#onHeld();
      await this.#gate;
    }
    return super.append(id, type, data);
  }
}

const open = (disconnectGraceMs = 0) => {
  registry = new MemoryRegistry();
  service = new GenerationService({ registry, client, disconnectGraceMs });
  return service;
};

describe('GenerationService (memory registry, real client against the emulator)', () => {
  it('streams a generation into start, text, usage and done events under an unguessable id', async () => {
    open();
    const info = await start(service);
    expect(info.id).toMatch(/^[\w-]{22}$/);
    expect(info).toMatchObject({ model: MODEL, status: 'running', detached: false });
    const events = await readAll(service, info.id);
    expect(events[0]).toMatchObject({ id: '1', type: 'start' });
    expect(data(events[0])).toEqual({ id: info.id, model: MODEL });
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1);
    expect(textOf(events).length).toBeGreaterThan(20);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    expect(data(done)).toMatchObject({
      stopReason: 'end_turn',
      usage: { source: 'bedrock' },
      metrics: { chunkCount: expect.any(Number) },
    });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)));
    expect((await service.get(info.id))?.status).toBe('done');
    expect((await upstreamEnded(emu)).outcome).toBe('completed');
  });

  it('replays after a Last-Event-ID exactly the missing events; two viewers see the same stream', async () => {
    open();
    const { id } = await start(service);
    const [a, b] = await Promise.all([readAll(service, id), readAll(service, id)]);
    expect(b).toEqual(a);
    for (const cut of [1, 3, a.length - 1]) {
      expect(await readAll(service, id, a[cut - 1]?.id)).toEqual(a.slice(cut));
    }
  });

  it('a mid-stream Bedrock error becomes a typed error event with the partial text', async () => {
    open();
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 4 } });
    const { id } = await start(service);
    const events = await readAll(service, id);
    const error = events.at(-1);
    expect(error?.type).toBe('error');
    const facts = data<{ type: string; message: string; retryable: boolean; partialText: string }>(error);
    expect(facts.type).toMatch(/Error$/);
    expect(facts.message).not.toMatch(/\n\s+at /);
    expect(facts.partialText).toBe(textOf(events));
    expect(facts.partialText.length).toBeGreaterThan(0);
    expect((await service.get(id))?.status).toBe('error');
  });

  it('a throttled start shows retry events, then an error event with the status and retryability', async () => {
    open();
    emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 1 }, times: 3 });
    const { id } = await start(service);
    const events = await readAll(service, id);
    expect(events.map((e) => e.type)).toEqual(['start', 'retry', 'retry', 'error']);
    expect(data(events[1])).toMatchObject({ attempt: 1, error: 'ThrottlingError' });
    expect(data(events[3])).toMatchObject({
      type: 'ThrottlingError',
      retryable: true,
      statusCode: 429,
      partialText: '',
    });
  });

  it('cancel() stops upstream and ends every viewer with the partial text', async () => {
    open();
    holdOpen(emu);
    const { id } = await start(service);
    const watching = readAll(service, id);
    await readUntil(service, id, 'text');
    await service.cancel(id);
    expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
    const events = await watching;
    expect(events.at(-1)?.type).toBe('cancelled');
    expect(data(events.at(-1))).toEqual({ partialText: textOf(events), reason: 'cancelled' });
    expect((await service.get(id))?.status).toBe('cancelled');
  });

  it('the last viewer leaving stops upstream; a viewer reconnecting later sees why', async () => {
    open();
    holdOpen(emu);
    const { id } = await start(service);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of service.events(id, undefined, controller.signal)) {
      seen.push(event.type);
      if (event.type === 'text') controller.abort();
    }
    expect(seen).toEqual(['start', 'text']);
    expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
    const events = await readAll(service, id);
    expect(events.at(-1)?.type).toBe('cancelled');
    expect(data(events.at(-1))).toMatchObject({ reason: 'disconnected' });
  });

  it('a detached generation keeps running with no viewer, to the end', async () => {
    open();
    holdOpen(emu, 100);
    const { id } = await start(service, true);
    await readUntil(service, id, 'text');
    // The stall fired, then the stream ran to its end: completed, with the fault recorded.
    expect(await upstreamEnded(emu)).toMatchObject({ outcome: 'completed', fault: 'stall' });
    expect((await readAll(service, id)).at(-1)?.type).toBe('done');
  });

  it('a viewer reconnecting within the grace keeps it alive; leaving for good stops it', async () => {
    open(150);
    holdOpen(emu, 300);
    const { id } = await start(service);
    const first = await readUntil(service, id, 'text');
    const rest = await readAll(service, id, first.at(-1)?.id);
    expect(rest.at(-1)?.type).toBe('done');
    expect(await upstreamEnded(emu)).toMatchObject({ outcome: 'completed', fault: 'stall' });
    emu.requestLog.clear();
    holdOpen(emu);
    const second = await start(service);
    await readUntil(service, second.id, 'text');
    expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
    expect((await readAll(service, second.id)).at(-1)?.type).toBe('cancelled');
  });

  it('shutdown() ends running generations with a retryable ServerShuttingDown error and refuses new ones', async () => {
    open();
    holdOpen(emu);
    const { id } = await start(service);
    const watching = readAll(service, id);
    await readUntil(service, id, 'text');
    await service.shutdown();
    expect((await upstreamEnded(emu)).outcome).toBe('client-aborted');
    const events = await watching;
    expect(events.at(-1)?.type).toBe('error');
    expect(data(events.at(-1))).toMatchObject({
      type: 'ServerShuttingDown',
      retryable: true,
      partialText: textOf(events),
    });
    await expect(start(service)).rejects.toBeInstanceOf(ServiceError);
  });

  it('a generation still being created when shutdown() begins ends at once, without calling upstream', async () => {
    open();
    const starting = start(service);
    await service.shutdown();
    const { id } = await starting;
    const events = await readAll(service, id);
    expect(events.map((e) => e.type)).toEqual(['start', 'error']);
    expect(data(events[1])).toMatchObject({ type: 'ServerShuttingDown', retryable: true, partialText: '' });
    expect(emu.requestLog.entries()).toEqual([]);
  });

  it('with a slow registry, text arriving during an append is merged into the next one, nothing lost', async () => {
    open();
    const referenceEvents = await readAll(service, (await start(service)).id);
    await upstreamEnded(emu);
    emu.requestLog.clear();
    const slow = new GatedRegistry();
    const slowService = new GenerationService({ registry: slow, client });
    try {
      const { id } = await start(slowService);
      // The first text append is held until upstream has ended and its chunks had time to be read.
      await slow.held;
      expect((await upstreamEnded(emu)).outcome).toBe('completed');
      for (let turn = 0; turn < 100; turn++) await new Promise((resolve) => setImmediate(resolve));
      slow.release();
      const events = await readAll(slowService, id);
      expect(textOf(events)).toBe(textOf(referenceEvents));
      const texts = (list: GenerationEvent[]) => list.filter((e) => e.type === 'text').length;
      expect(texts(events)).toBeLessThan(texts(referenceEvents));
      expect(events.at(-1)?.type).toBe('done');
    } finally {
      await slowService.shutdown();
      await slow.close();
    }
  });

  it('a bad request rejects start() with ValidationError and creates nothing', async () => {
    open();
    await expect(start(service, false, {})).rejects.toBeInstanceOf(ValidationError);
    expect(emu.requestLog.entries()).toEqual([]);
  });
});
