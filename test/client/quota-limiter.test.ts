/**
 * createQuotaLimiter keeps a client inside Bedrock's per-model quotas. Against the emulator's quota
 * simulation (the same reservation rule as Bedrock's): a burst that runs into 429s without the limiter
 * completes without a single throttled request with it. The limiter's books on their own: first come,
 * first served; a settled call's refund admits the next at once; an abort while waiting rejects and lets
 * the queue move on; a call that could never fit, and bad options, get clear errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createQuotaLimiter } from '../../src/client/quota-limiter.js';
import type { QuotaReservation } from '../../src/client/types.js';
import { AbortError, ThrottlingError, ValidationError } from '../../src/errors.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLAUDE, clientFor, rejection } from './emulator-harness.js';

const PROMPTS = Array.from({ length: 12 }, (_, i) => `Say hello number ${i}.`);
const MAX_TOKENS = 100;
const request = (modelId = CLAUDE) => ({ modelId, estimatedInputTokens: 10, maxTokens: 90 });

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** Whether a promise has settled after the queued microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('createQuotaLimiter against the emulator’s quota', () => {
  // 12 calls reserving ~110 tokens each (input + maxTokens) against 1,000 tokens a minute: 9 fit at once.
  // Paced (2x realistic: first text after ~300 ms), so no call ends and refunds before the burst is in.
  const quota = { tokensPerMinute: 1_000 };
  const speed = 2;

  it('without it a burst is throttled; with it the same burst completes and nothing is throttled', async () => {
    emu = await startEmulator({ port: 0, speed, quota });
    const unlimited = clientFor(emu, { retry: { maxAttempts: 1 } });
    try {
      const outcomes = await Promise.allSettled(
        PROMPTS.map((prompt) => unlimited.invokeStream({ prompt, maxTokens: MAX_TOKENS }).finalResult()),
      );
      const throttled = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof ThrottlingError);
      expect(throttled.length).toBeGreaterThan(0);
    } finally {
      unlimited.destroy();
    }
    await emu.close();

    emu = await startEmulator({ port: 0, speed, quota });
    // A little below the account's quota: the client's input estimate is not Bedrock's exact count.
    const limited = clientFor(emu, { retry: { maxAttempts: 1 }, quota: createQuotaLimiter({ tokensPerMinute: 900 }) });
    try {
      const results = await Promise.all(
        PROMPTS.map((prompt) => limited.invokeStream({ prompt, maxTokens: MAX_TOKENS }).finalResult()),
      );
      expect(results.every((result) => result.text.length > 0)).toBe(true);
      const log = emu.requestLog.entries();
      expect(log).toHaveLength(PROMPTS.length);
      expect(log.map((entry) => entry.outcome)).toEqual(PROMPTS.map(() => 'completed'));
    } finally {
      limited.destroy();
    }
  });
});

describe('createQuotaLimiter’s books', () => {
  it('admits in arrival order; a settled call’s refund admits the next one at once', async () => {
    // Room for two 100-token reservations; refills take a minute, so only refunds make room here.
    const limiter = createQuotaLimiter({ tokensPerMinute: 200 });
    const order: number[] = [];
    const calls = [0, 1, 2, 3].map((i) =>
      limiter.acquire(request(), undefined).then((reservation) => {
        order.push(i);
        return reservation;
      }),
    );
    const [first, second] = (await Promise.all(calls.slice(0, 2))) as unknown as [QuotaReservation, QuotaReservation];
    expect(await settled(calls[2]!)).toBe(false);
    // 100 reserved, 40 used (10 in, 30 out): 60 back, not enough for the next 100 yet.
    first.settle({ inputTokens: 10, outputTokens: 30 });
    expect(await settled(calls[2]!)).toBe(false);
    second.release();
    await calls[2];
    expect(await settled(calls[3]!)).toBe(false);
    expect(order).toEqual([0, 1, 2]);
    // A second settle or release of the same reservation changes nothing.
    first.settle({ inputTokens: 0, outputTokens: 0 });
    second.release();
    expect(await settled(calls[3]!)).toBe(false);
    ((await calls[2]) as QuotaReservation).release();
    await calls[3];
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('a call Bedrock throttled never lets the next one straight through; any other failure does', async () => {
    const limiter = createQuotaLimiter({ tokensPerMinute: 200 });
    const [throttled, failed] = await Promise.all([limiter.acquire(request()), limiter.acquire(request())]);
    const next = limiter.acquire(request());
    // Bedrock's 429 says its bucket is empty: the books drain to match, the refund does not admit anyone.
    await throttled.release(new ThrottlingError('Too many tokens, please wait before trying again.'));
    expect(await settled(next)).toBe(false);
    const retryAfter = await failed.throttled();
    expect(retryAfter).toBeGreaterThan(0);
    expect(await settled(next)).toBe(false);

    const other = createQuotaLimiter({ tokensPerMinute: 200 });
    const [first] = await Promise.all([other.acquire(request()), other.acquire(request())]);
    const behind = other.acquire(request());
    await first.release(new Error('The model failed.'));
    expect(await settled(behind)).toBe(true);
  });

  it('counts requests per minute too, and budgets are per model', async () => {
    const limiter = createQuotaLimiter({ requestsPerMinute: 1 });
    await limiter.acquire(request(), undefined);
    const second = limiter.acquire(request(), undefined);
    expect(await settled(second)).toBe(false);
    await limiter.acquire(request('meta.llama3-8b-instruct-v1:0'), undefined);
  });

  it('an abort while waiting rejects with AbortError and lets the call behind it through', async () => {
    const limiter = createQuotaLimiter({ tokensPerMinute: 150 });
    const holder = await limiter.acquire(request(), undefined);
    const big = new AbortController();
    const waiting = limiter.acquire({ ...request(), maxTokens: 130 }, big.signal);
    const small = limiter.acquire({ ...request(), maxTokens: 10 }, undefined);
    expect(await settled(small)).toBe(false);
    big.abort();
    expect(await rejection(waiting)).toBeInstanceOf(AbortError);
    await small;
    holder.release();
    const aborted = new AbortController();
    aborted.abort();
    expect(await rejection(limiter.acquire(request(), aborted.signal))).toBeInstanceOf(AbortError);
  });

  it('a call that could never fit, and bad options, get errors that say what to change', async () => {
    const limiter = createQuotaLimiter({ tokensPerMinute: 1_000, burndown: 5 });
    const error = await rejection(limiter.acquire({ modelId: CLAUDE, estimatedInputTokens: 50, maxTokens: 400 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('reserves 2050 tokens');
    expect((error as ValidationError).message).toContain('Lower maxTokens or raise tokensPerMinute');
    expect(() => createQuotaLimiter({ tokensPerMinute: 0 })).toThrow(/tokensPerMinute must be a positive number/);
    expect(() => createQuotaLimiter({ burndown: -1 })).toThrow(/burndown must be a positive number/);
  });

  it('burns Claude 3.7 Sonnet’s and Claude 4’s output at 5x by default, as Bedrock does', async () => {
    const limiter = createQuotaLimiter({ tokensPerMinute: 1_000 });
    for (const fiveTimes of [
      'us.anthropic.claude-sonnet-4-20250514-v1:0',
      'anthropic.claude-3-7-sonnet-20250219-v1:0',
    ]) {
      expect(
        await rejection(limiter.acquire({ modelId: fiveTimes, estimatedInputTokens: 0, maxTokens: 250 })),
      ).toBeInstanceOf(ValidationError);
    }
    await limiter.acquire({ modelId: CLAUDE, estimatedInputTokens: 0, maxTokens: 250 });
  });
});
