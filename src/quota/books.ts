/**
 * The books of one model: two buckets (tokens, requests) refilled continuously over the period, as
 * Bedrock keeps them, plus what Bedrock's own throttles teach us. Pure state and arithmetic; the memory
 * backend runs it as it is and the Redis backend's Lua scripts (redis-scripts.ts) run the same rules
 * line for line, so both backends keep identical books.
 */
import type { QuotaLimits } from './types.js';

export interface BookState {
  /** Tokens in the bucket (negative after a throttle or an under-estimate). */
  tokens: number;
  requests: number;
  /** Refill runs from here; later than now while a boundary delay holds it back. */
  refillAt: number;
  /** Learnt share of the configured rate. */
  factor: number;
  /** When Bedrock last throttled (0: never); recovery waits `holdPeriods` after it. */
  throttledAt: number;
  /** When the factor last changed, so recovery is counted once. */
  factorAt: number;
  /** When the factor was last lowered (at most once a period). */
  decreasedAt: number;
  reserved: number;
  throttles: number;
}

export function newBooks(limits: QuotaLimits, now: number): BookState {
  return {
    tokens: limits.tokens,
    requests: limits.requests,
    refillAt: now,
    factor: 1,
    throttledAt: 0,
    factorAt: now,
    decreasedAt: now - limits.periodMs,
    reserved: 0,
    throttles: 0,
  };
}

/** Brings the books to `now`: the factor recovers (after the hold), then both buckets refill. */
export function refresh(books: BookState, limits: QuotaLimits, now: number): void {
  const { adaptive, periodMs } = limits;
  if (adaptive.enabled && books.factor < 1) {
    const from = Math.max(books.factorAt, books.throttledAt + adaptive.holdPeriods * periodMs);
    if (now > from) {
      books.factor = Math.min(1, books.factor + ((now - from) * adaptive.increasePerPeriod) / periodMs);
      books.factorAt = now;
    }
  }
  if (now > books.refillAt) {
    const elapsed = now - books.refillAt;
    const tokenCap = limits.tokens * books.factor;
    const requestCap = limits.requests * books.factor;
    books.tokens = Math.min(tokenCap, books.tokens + (elapsed * tokenCap) / periodMs);
    books.requests = Math.min(requestCap, books.requests + (elapsed * requestCap) / periodMs);
    books.refillAt = now;
  }
}

/** Milliseconds until a call costing `cost` fits (0: now). A cost above the learnt capacity needs a full bucket. */
export function waitFor(books: BookState, limits: QuotaLimits, cost: number, now: number): number {
  const hold = Math.max(0, books.refillAt - now);
  let wait = 0;
  if (limits.tokens > 0) {
    const cap = limits.tokens * books.factor;
    const need = Math.min(cost, cap);
    if (books.tokens < need) wait = Math.max(wait, ((need - books.tokens) * limits.periodMs) / cap);
  }
  if (limits.requests > 0) {
    const cap = limits.requests * books.factor;
    const need = Math.min(1, cap);
    if (books.requests < need) wait = Math.max(wait, ((need - books.requests) * limits.periodMs) / cap);
  }
  return wait === 0 ? 0 : Math.ceil(wait + hold);
}

/** Takes an admitted call's share. Drawing on a full bucket holds its refill back by the boundary delay. */
export function take(books: BookState, limits: QuotaLimits, cost: number, now: number): void {
  const full =
    (limits.tokens > 0 && books.tokens >= limits.tokens * books.factor) ||
    (limits.requests > 0 && books.requests >= limits.requests * books.factor);
  if (limits.tokens > 0) books.tokens -= cost;
  if (limits.requests > 0) books.requests -= 1;
  books.reserved += cost;
  if (full) books.refillAt = Math.max(books.refillAt, now + limits.boundaryMs);
}

/** A call settled or failed: `tokens` come back (or, negative, are taken), `reserved` leaves the books. */
export function adjust(books: BookState, limits: QuotaLimits, tokens: number, reserved: number): void {
  if (limits.tokens > 0) books.tokens = Math.min(limits.tokens * books.factor, books.tokens + tokens);
  books.reserved = Math.max(0, books.reserved - reserved);
}

/**
 * Bedrock answered 429 to a call holding `cost`: its bucket is emptier than ours. Assume it is empty and
 * that every throttled call still has to be paid for (so calls throttled together retry one after the
 * other, not at once), lower the rate (at most once a period, so one burst of 429s is one decrease), and
 * answer how long this call should wait before it retries.
 */
export function throttle(books: BookState, limits: QuotaLimits, cost: number, now: number): number {
  const { adaptive, periodMs } = limits;
  books.throttles += 1;
  if (adaptive.enabled) {
    if (now - books.decreasedAt >= periodMs) {
      books.factor = Math.max(adaptive.floor, books.factor * adaptive.decrease);
      books.decreasedAt = now;
    }
    books.throttledAt = now;
    books.factorAt = now;
  }
  let retryMs = 0;
  if (limits.tokens > 0) {
    books.tokens = Math.min(books.tokens, 0) - cost;
    retryMs = Math.max(retryMs, (-books.tokens * periodMs) / (limits.tokens * books.factor));
  }
  if (limits.requests > 0) {
    books.requests = Math.min(books.requests, 0) - 1;
    retryMs = Math.max(retryMs, (-books.requests * periodMs) / (limits.requests * books.factor));
  }
  return Math.ceil(retryMs + Math.max(0, books.refillAt - now));
}
