/**
 * The Redis backend's books against real Redis: limiters that share a Redis (and key prefix) share one
 * budget and what a 429 taught any of them; callers are admitted in arrival order whichever limiter they came through, and can abort their
 * wait; reservations come back when a call completes (settled to its real usage), is aborted or fails;
 * a call that could never fit is rejected at once; keys carry the model's hash tag and expire.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AbortError, ValidationError } from '../../src/errors.js';
import type { Emulator } from '../../src/emulator/server.js';
import {
  createQuotaLimiter,
  type BedrockQuotaLimiter,
  type FleetQuotaReservation,
  type QuotaLimiterOptions,
} from '../../src/quota/index.js';
import { HAIKU, REDIS_URL, deleteKeys, quotaClient, quotaEmulator, testPrefix, until } from './harness.js';

const prefix = testPrefix();
// A period so long that refill is negligible within a test: only refunds make room.
const books = { tokensPerMinute: 1_000, periodMs: 3_600_000, redis: REDIS_URL, keyPrefix: prefix };
const call = (maxTokens: number) => ({ modelId: HAIKU, estimatedInputTokens: 0, maxTokens });

const limiters: BedrockQuotaLimiter[] = [];
let emu: Emulator | undefined;
function limiter(options: QuotaLimiterOptions = {}): BedrockQuotaLimiter {
  const created = createQuotaLimiter({
    ...books,
    keyPrefix: `${prefix}${expect.getState().currentTestName}:`,
    ...options,
  });
  limiters.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((l) => l.close()));
  await emu?.close();
  emu = undefined;
});
afterAll(() => deleteKeys(prefix));

async function model(of: BedrockQuotaLimiter) {
  const snapshot = await of.snapshot();
  expect(snapshot.backend).toBe('redis');
  return snapshot.models.find((m) => m.key === `on-demand/${HAIKU}`)!;
}

describe('the Redis backend', () => {
  it('admits callers of two limiters in arrival order, and an aborted wait lets the next through', async () => {
    const a = limiter();
    const b = limiter();
    const holder = await a.acquire(call(1_000));
    const order: string[] = [];
    const aborted = new AbortController();
    const waits: Promise<FleetQuotaReservation>[] = [];
    const arrivals: [string, BedrockQuotaLimiter][] = [
      ['b1', b],
      ['a2', a],
      ['b3', b],
      ['a4', a],
    ];
    // One after the other: arrival order is the order callers join the fleet's line.
    for (const [name, through] of arrivals) {
      const waiting = through.acquire(call(400), name === 'a2' ? aborted.signal : undefined);
      waits.push(waiting.then((r) => (order.push(name), r)));
      await until(async () => (await model(a)).waiting === waits.length, `${name} to join the line`);
    }
    aborted.abort();
    await expect(waits[1]).rejects.toBeInstanceOf(AbortError);
    await holder.settle({ inputTokens: 0, outputTokens: 0 });
    // 1,000 back: b1 (400) and b3 (400) fit, a4 waits; a2 left the line.
    await Promise.all([waits[0], waits[2]]);
    expect(order).toEqual(['b1', 'b3']);
    expect((await model(a)).waiting).toBe(1);
    await (await waits[0]!).release();
    await waits[3];
    expect(order).toEqual(['b1', 'b3', 'a4']);
  });

  it('returns reservations when calls complete, are aborted and fail (real client, real emulator)', async () => {
    emu = await quotaEmulator({});
    const quota = limiter({ tokensPerMinute: 10_000 });
    const client = quotaClient(emu, { quota, retry: { maxAttempts: 1 } });
    try {
      const done = await client.invokeStream({ prompt: 'Complete me.', maxTokens: 50 }).finalResult();
      const used = done.usage.inputTokens + done.usage.outputTokens;
      await until(async () => (await model(quota)).tokensReserved === 0, 'the completed call to settle');
      expect((await model(quota)).tokensAvailable).toBe(10_000 - used);

      const aborting = new AbortController();
      const stream = client.invokeStream({ prompt: 'Abort me.', maxTokens: 500, signal: aborting.signal });
      for await (const event of stream.events()) {
        if (event.type === 'text') break;
      }
      aborting.abort();
      await stream.finalResult().catch(() => {});
      emu.faults.add({ fault: { kind: 'error', errorType: 'ModelErrorException' } });
      await expect(client.invokeStream({ prompt: 'Fail me.', maxTokens: 500 }).finalResult()).rejects.toThrow();
      await until(async () => (await model(quota)).tokensReserved === 0, 'the aborted and failed calls to release');
      expect((await model(quota)).tokensAvailable).toBe(10_000 - used);
    } finally {
      client.destroy();
    }
  });

  it('shares what one process learnt from a 429 with the whole fleet', async () => {
    const a = limiter({ tokensPerMinute: 1_000 });
    const b = limiter({ tokensPerMinute: 1_000 });
    const reservation = await a.acquire(call(100));
    expect(await reservation.throttled()).toBeGreaterThan(0);
    const seen = await model(b);
    expect(seen).toMatchObject({ rateFactor: 0.5, learntTokensPerPeriod: 500, throttles: 1 });
    // Drained to Bedrock's empty bucket with this call still to pay for: nobody else fits now.
    expect(seen.tokensAvailable).toBeLessThanOrEqual(-100);
    await reservation.release();
  });

  it('rejects a call that could never fit at once, with what to change', async () => {
    const quota = limiter({ burndown: 5 });
    const error = await quota.acquire({ modelId: HAIKU, estimatedInputTokens: 50, maxTokens: 400 }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('reserves 2050 tokens');
    expect((error as ValidationError).message).toContain('Lower maxTokens or raise tokensPerMinute');
  });

  it('keeps one model’s keys in one Cluster slot (its hash tag), each with an expiry', async () => {
    const ownPrefix = `${prefix}keys:`;
    const quota = limiter({ keyPrefix: ownPrefix, periodMs: 10_000 });
    const holder = await quota.acquire(call(900));
    const waiting = quota.acquire(call(900));
    await until(async () => (await model(quota)).waiting === 1, 'a waiting caller');
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL);
    try {
      const keys = (await redis.keys(`${ownPrefix}*`)).sort();
      const tag = `{on-demand/${HAIKU}}`;
      expect(keys).toEqual([`${ownPrefix}${tag}:h`, `${ownPrefix}${tag}:l`, `${ownPrefix}${tag}:q`]);
      for (const key of keys) {
        const ttl = await redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(2 * 10_000 + 5_000);
      }
    } finally {
      redis.disconnect();
    }
    await holder.release();
    await (await waiting).release();
  });
});
