/**
 * The books' rules on their own, with explicit clocks (books.ts is pure; the Redis scripts run the same
 * rules): a full bucket drawn on holds its refill back by the boundary delay; calls throttled together
 * retry one after the other; one burst of 429s lowers the rate once, and it climbs back only after the
 * hold. Through the limiter: a call that failed after retries on Bedrock's 429 drains the books too.
 */
import { describe, expect, it } from 'vitest';
import { RetryError, ThrottlingError } from '../../src/errors.js';
import { newBooks, refresh, take, throttle, waitFor } from '../../src/quota/books.js';
import { DEFAULT_ADAPTIVE } from '../../src/quota/limiter-options.js';
import { createQuotaLimiter } from '../../src/quota/index.js';
import type { QuotaLimits } from '../../src/quota/types.js';
import { HAIKU } from './harness.js';

// 10 requests per 1,000 ms: one refills every 100 ms.
const limits: QuotaLimits = { tokens: 0, requests: 10, periodMs: 1_000, boundaryMs: 50, adaptive: DEFAULT_ADAPTIVE };

describe('the books', () => {
  it('hold the refill back by the boundary delay when a full bucket is drawn on', () => {
    const books = newBooks(limits, 0);
    take(books, limits, 0, 0);
    expect(waitFor(books, limits, 0, 0)).toBe(0);
    for (let i = 1; i < 10; i++) take(books, limits, 0, 0);
    // Empty: one request needs 100 ms of refill, which starts 50 ms late.
    expect(waitFor(books, limits, 0, 0)).toBe(150);
    refresh(books, limits, 100);
    expect(waitFor(books, limits, 0, 100)).toBe(50);
    // Drawn on below capacity, the refill is not held back again.
    refresh(books, limits, 150);
    take(books, limits, 0, 150);
    expect(waitFor(books, limits, 0, 150)).toBe(100);
  });

  it('let calls throttled together retry one after the other', () => {
    const books = newBooks({ ...limits, adaptive: { ...DEFAULT_ADAPTIVE, enabled: false } }, 0);
    const fixed = { ...limits, adaptive: { ...DEFAULT_ADAPTIVE, enabled: false } };
    for (let i = 0; i < 10; i++) take(books, fixed, 0, 0);
    // At 10 ms: the refill resumes at 50 ms, then each throttled call waits for one more request.
    const retries = [0, 1, 2].map(() => throttle(books, fixed, 0, 10));
    expect(retries).toEqual([140, 240, 340]);
  });

  it('lower the rate once per burst of 429s, and raise it only after the hold', () => {
    const books = newBooks(limits, 0);
    throttle(books, limits, 0, 100);
    throttle(books, limits, 0, 400);
    expect(books.factor).toBe(0.5);
    throttle(books, limits, 0, 1_200);
    expect(books.factor).toBe(0.25);
    // Hold: one period after the last throttle (until 2,200), then +0.1 of the configured rate per period.
    refresh(books, limits, 2_100);
    expect(books.factor).toBe(0.25);
    refresh(books, limits, 4_200);
    expect(books.factor).toBeCloseTo(0.45, 5);
  });
});

describe('the limiter hears about Bedrock’s 429s', () => {
  it('drains the books when a call fails after retries ending in a 429', async () => {
    const limiter = createQuotaLimiter({ tokensPerMinute: 200, adaptive: false });
    const request = { modelId: HAIKU, estimatedInputTokens: 10, maxTokens: 90 };
    const [failed] = await Promise.all([limiter.acquire(request), limiter.acquire(request)]);
    const throttled = new ThrottlingError('Too many tokens, please wait before trying again.');
    await failed.release(new RetryError('Gave up after 3 attempts', [throttled, throttled, throttled], throttled));
    const model = (await limiter.snapshot()).models[0]!;
    // Drained to Bedrock's empty bucket (the other call still holds 100), then the failed call's 100 back.
    expect(model.tokensAvailable).toBeLessThanOrEqual(0);
    expect(model.throttles).toBe(1);
  });
});
