/**
 * The in-process backend (the default, and the fallback when Redis is down): each model's books and its
 * queue of waiting tickets in a Map. One process, one budget.
 */
import { adjust, newBooks, refresh, take, throttle, waitFor, type BookState } from './books.js';
import type { AdmitOutcome, ModelQuotaSnapshot, QuotaBackend, QuotaLimits } from './types.js';

interface ModelEntry {
  books: BookState;
  /** Tickets in arrival order; only the first may be admitted. */
  queue: string[];
}

export class MemoryQuotaBackend implements QuotaBackend {
  readonly kind = 'memory';
  readonly #models = new Map<string, ModelEntry>();
  #nextTicket = 0;

  admit(key: string, cost: number, ticket: string | undefined, limits: QuotaLimits): Promise<AdmitOutcome> {
    const entry = this.#entry(key, limits);
    const now = Date.now();
    refresh(entry.books, limits, now);
    const first = ticket === undefined ? entry.queue.length === 0 : entry.queue[0] === ticket;
    const waitMs = waitFor(entry.books, limits, cost, now);
    if (first && waitMs === 0) {
      if (ticket !== undefined) entry.queue.shift();
      take(entry.books, limits, cost, now);
      return Promise.resolve({ admitted: true });
    }
    let held = ticket;
    if (held === undefined || !entry.queue.includes(held)) {
      held ??= `m${this.#nextTicket++}`;
      entry.queue.push(held);
    }
    return Promise.resolve({ admitted: false, waitMs: entry.queue[0] === held ? waitMs : -1, ticket: held });
  }

  adjust(key: string, tokens: number, reserved: number, limits: QuotaLimits): Promise<void> {
    const entry = this.#entry(key, limits);
    refresh(entry.books, limits, Date.now());
    adjust(entry.books, limits, tokens, reserved);
    return Promise.resolve();
  }

  throttled(key: string, cost: number, limits: QuotaLimits): Promise<number> {
    const entry = this.#entry(key, limits);
    const now = Date.now();
    refresh(entry.books, limits, now);
    return Promise.resolve(throttle(entry.books, limits, cost, now));
  }

  leave(key: string, ticket: string): Promise<void> {
    const queue = this.#models.get(key)?.queue;
    const index = queue?.indexOf(ticket) ?? -1;
    if (index >= 0) queue?.splice(index, 1);
    return Promise.resolve();
  }

  snapshot(key: string, limits: QuotaLimits): Promise<ModelQuotaSnapshot> {
    const entry = this.#entry(key, limits);
    refresh(entry.books, limits, Date.now());
    return Promise.resolve(snapshotOf(key, entry.books, entry.queue.length, limits));
  }

  keys(): Promise<string[]> {
    return Promise.resolve([...this.#models.keys()]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #entry(key: string, limits: QuotaLimits): ModelEntry {
    let entry = this.#models.get(key);
    if (entry === undefined) {
      entry = { books: newBooks(limits, Date.now()), queue: [] };
      this.#models.set(key, entry);
    }
    return entry;
  }
}

export function snapshotOf(key: string, books: BookState, waiting: number, limits: QuotaLimits): ModelQuotaSnapshot {
  return {
    key,
    tokensAvailable: limits.tokens > 0 ? Math.floor(books.tokens) : undefined,
    requestsAvailable: limits.requests > 0 ? Math.floor(books.requests) : undefined,
    tokensReserved: books.reserved,
    waiting,
    rateFactor: Math.round(books.factor * 1000) / 1000,
    learntTokensPerPeriod: limits.tokens > 0 ? Math.floor(limits.tokens * books.factor) : undefined,
    learntRequestsPerPeriod: limits.requests > 0 ? Math.floor(limits.requests * books.factor) : undefined,
    throttles: books.throttles,
  };
}
