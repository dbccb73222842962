/**
 * `createQuotaLimiter()`: keeps calls inside Bedrock's per-model quotas (bedrock-wire.md §6), in one
 * process or, with `redis`, across a fleet. A call reserves `input + maxTokens x burndown` tokens and one
 * request on its model's books (keyed by what Bedrock meters, quota-key.ts); callers wait in arrival
 * order, abortably and at most `maxWaitMs`; the reservation settles to the real usage or comes back when
 * the call fails. When Bedrock throttles anyway, the books are drained to match Bedrock's empty bucket
 * and the rate drops, so a 429 never lets another call straight through.
 */
import { AbortError, RetryError, ThrottlingError, ValidationError } from '../errors.js';
import type { QuotaLimiter, QuotaReservation } from '../client/types.js';
import { BackendSwitch } from './backend-switch.js';
import { bedrockBurndown } from './burndown.js';
import { checkOptions, resolveLimits, type QuotaLimiterOptions } from './limiter-options.js';
import { MemoryQuotaBackend } from './memory-backend.js';
import { resolveQuotaKey } from './quota-key.js';
import { RedisQuotaBackend } from './redis-backend.js';
import type { QuotaBackend, QuotaLimits, QuotaSnapshot } from './types.js';

/** A reservation that also hears about throttled attempts and can be awaited when it closes. */
export interface FleetQuotaReservation extends QuotaReservation {
  /** `inputTokens` as Bedrock reports it (without the cached prefix); cache reads are accepted, never counted. */
  settle(usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadInputTokens?: number;
    cacheWriteInputTokens?: number;
  }): Promise<void>;
  release(error?: unknown): Promise<void>;
  /** Bedrock throttled an attempt of this call: resynchronise the books; ms to wait before retrying. */
  throttled(): Promise<number>;
}

export interface BedrockQuotaLimiter extends QuotaLimiter {
  acquire(
    request: { modelId: string; estimatedInputTokens: number; maxTokens: number },
    signal?: AbortSignal,
  ): Promise<FleetQuotaReservation>;
  /** Per model: tokens and requests available, reserved, waiting callers, learnt rate. */
  snapshot(): Promise<QuotaSnapshot>;
  /** The quota key a model id is booked under. */
  keyOf(modelId: string): string;
  /** Stops using Redis (a Redis client you passed in stays open). */
  close(): Promise<void>;
  /** Where the books live, for benchmarks and tests. */
  readonly backend: QuotaBackend;
}

interface Waiter {
  cost: number;
  burndown: number;
  ticket: string | undefined;
  /** The backend that issued the ticket (a ticket means nothing to the other one). */
  ticketBackend: QuotaBackend | undefined;
  waitMs: number;
  resolve: (reservation: FleetQuotaReservation) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

/** One model's callers waiting in this process, in arrival order; only the first asks the backend. */
interface Line {
  waiters: Waiter[];
  timer: NodeJS.Timeout | undefined;
  asking: boolean;
  /** Something changed while asking (a refund, a waiter left): ask again when done. */
  again: boolean;
  /** Counts reservations closed, so an arrival can tell a refund came while it asked. */
  closed: number;
}

export function createQuotaLimiter(options: QuotaLimiterOptions): BedrockQuotaLimiter {
  checkOptions(options);
  return new FleetQuotaLimiter(options);
}

class FleetQuotaLimiter implements BedrockQuotaLimiter {
  readonly #options: QuotaLimiterOptions;
  readonly #limits: QuotaLimits;
  readonly #backends: BackendSwitch;
  readonly #lines = new Map<string, Line>();
  readonly #maxWaitMs: number;
  readonly #pollMs: number;

  constructor(options: QuotaLimiterOptions) {
    this.#options = options;
    this.#limits = resolveLimits(options);
    const primary =
      options.redis === undefined
        ? new MemoryQuotaBackend()
        : new RedisQuotaBackend({
            redis: options.redis,
            ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
          });
    const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'QuotaWarning'));
    this.#backends = new BackendSwitch(primary, options.failOpen ?? true, warn);
    this.#maxWaitMs = options.maxWaitMs ?? this.#limits.periodMs;
    this.#pollMs = options.pollMs ?? 50;
  }

  get backend(): QuotaBackend {
    return this.#backends.primary;
  }

  keyOf(modelId: string): string {
    return resolveQuotaKey(modelId, this.#options.profiles === undefined ? {} : { profiles: this.#options.profiles });
  }

  async acquire(
    request: { modelId: string; estimatedInputTokens: number; maxTokens: number },
    signal?: AbortSignal,
  ): Promise<FleetQuotaReservation> {
    const burndown = this.#burndown(request.modelId);
    const cost = Math.ceil(request.estimatedInputTokens + request.maxTokens * burndown);
    const { tokens } = this.#limits;
    if (tokens > 0 && cost > tokens) {
      throw new ValidationError(
        `This call reserves ${cost} tokens (about ${request.estimatedInputTokens} of input plus maxTokens ` +
          `${request.maxTokens} x burndown ${burndown}), more than the tokens-per-minute quota of ` +
          `${tokens}: Bedrock would never admit it. Lower maxTokens or raise tokensPerMinute.`,
        { code: 'QuotaTooSmall' },
      );
    }
    if (signal?.aborted) throw abortError();
    const key = this.keyOf(request.modelId);
    const line = this.#line(key);
    const closedBefore = line.closed;
    // On arrival every caller asks once: admitted at once, or given its place in the (fleet's) line.
    const { value: outcome, backend } = await this.#backends.run((b) => b.admit(key, cost, undefined, this.#limits));
    if (outcome.admitted) {
      const reservation = this.#reservation(key, cost, burndown, backend);
      if (signal?.aborted) {
        await reservation.release();
        throw abortError();
      }
      return reservation;
    }
    if (signal?.aborted) {
      await backend.leave(key, outcome.ticket).catch(() => {});
      throw abortError();
    }
    return new Promise<FleetQuotaReservation>((resolve, reject) => {
      const waiter: Waiter = {
        cost,
        burndown,
        ticket: outcome.ticket,
        ticketBackend: backend,
        waitMs: outcome.waitMs,
        resolve,
        reject,
        cleanup: () => {},
      };
      const giveUp = (error: unknown) => {
        const index = line.waiters.indexOf(waiter);
        if (index < 0) return;
        line.waiters.splice(index, 1);
        waiter.cleanup();
        if (waiter.ticket !== undefined) void waiter.ticketBackend?.leave(key, waiter.ticket).catch(() => {});
        reject(error);
        if (index === 0) this.#ask(key, line);
      };
      const onAbort = () => giveUp(abortError());
      const maxWait = setTimeout(() => giveUp(this.#waitedTooLong(key, waiter)), this.#maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      waiter.cleanup = () => {
        clearTimeout(maxWait);
        signal?.removeEventListener('abort', onAbort);
      };
      line.waiters.push(waiter);
      // A refund that landed while it asked found no one waiting here: ask again at once.
      if (line.waiters.length === 1) this.#schedule(key, line, line.closed === closedBefore ? outcome.waitMs : 0);
    });
  }

  async snapshot(): Promise<QuotaSnapshot> {
    const keys = new Set([...this.#lines.keys()]);
    const { value: fleetKeys, backend } = await this.#backends.run((b) => b.keys());
    for (const key of fleetKeys) keys.add(key);
    const models = [];
    for (const key of [...keys].sort()) {
      models.push((await this.#backends.run((b) => b.snapshot(key, this.#limits))).value);
    }
    return {
      backend: backend.kind === 'redis' ? 'redis' : this.#backends.degraded ? 'memory (Redis unavailable)' : 'memory',
      periodMs: this.#limits.periodMs,
      models,
    };
  }

  async close(): Promise<void> {
    for (const line of this.#lines.values()) {
      clearTimeout(line.timer);
      // Nobody will admit them any more: they fail now rather than at their maximum wait.
      for (const waiter of line.waiters.splice(0)) {
        waiter.cleanup();
        waiter.reject(new AbortError('The quota limiter was closed while this call waited; nothing was sent.'));
      }
    }
    await this.#backends.close();
  }

  /** Asks for the first waiter of a line, and the next ones while they are admitted. */
  #ask(key: string, line: Line): void {
    clearTimeout(line.timer);
    line.timer = undefined;
    if (line.asking) {
      line.again = true;
      return;
    }
    if (line.waiters.length === 0) return;
    line.asking = true;
    void this.#askLoop(key, line).finally(() => {
      line.asking = false;
      if (line.again) {
        line.again = false;
        this.#ask(key, line);
      }
    });
  }

  async #askLoop(key: string, line: Line): Promise<void> {
    for (let head = line.waiters[0]; head !== undefined; head = line.waiters[0]) {
      let ran;
      try {
        ran = await this.#backends.run((b) =>
          b.admit(key, head.cost, b === head.ticketBackend ? head.ticket : undefined, this.#limits),
        );
      } catch (error) {
        // Fail-closed and Redis down: the waiter cannot be admitted; it learns why.
        this.#remove(line, head);
        head.reject(error);
        continue;
      }
      const { value: outcome, backend } = ran;
      if (line.waiters[0] !== head) {
        // It gave up while we asked; an admission made for it goes straight back.
        if (outcome.admitted) void backend.adjust(key, head.cost, head.cost, this.#limits).catch(() => {});
        continue;
      }
      if (outcome.admitted) {
        this.#remove(line, head);
        head.resolve(this.#reservation(key, head.cost, head.burndown, backend));
        continue;
      }
      head.ticket = outcome.ticket;
      head.ticketBackend = backend;
      head.waitMs = outcome.waitMs;
      this.#schedule(key, line, outcome.waitMs);
      return;
    }
  }

  #schedule(key: string, line: Line, waitMs: number): void {
    clearTimeout(line.timer);
    if (waitMs === 0) {
      queueMicrotask(() => this.#ask(key, line));
      return;
    }
    // Not first in the fleet's line (-1): ask again shortly; first: when the books say it fits, or, on
    // Redis, sooner: another process's refund can make room before the refill does.
    const refundsElsewhere = this.#backends.primary.kind === 'redis' ? 4 * this.#pollMs : Infinity;
    const delay = waitMs < 0 ? this.#pollMs : Math.max(1, Math.min(waitMs, refundsElsewhere));
    line.timer = setTimeout(() => this.#ask(key, line), delay);
  }

  #remove(line: Line, waiter: Waiter): void {
    const index = line.waiters.indexOf(waiter);
    if (index >= 0) line.waiters.splice(index, 1);
    waiter.cleanup();
  }

  #waitedTooLong(key: string, waiter: Waiter): ThrottlingError {
    // First in line: when the books say it fits; behind others: at least the refill of one such call.
    const { tokens, requests, periodMs } = this.#limits;
    const oneMore = Math.max(
      tokens > 0 ? (waiter.cost * periodMs) / tokens : 0,
      requests > 0 ? periodMs / requests : 0,
    );
    const retryAfterMs = Math.ceil(Math.max(waiter.waitMs, oneMore, this.#pollMs));
    return new ThrottlingError(
      `Waited ${this.#maxWaitMs} ms for the ${key} quota and it still has no room for this call ` +
        `(${waiter.cost} tokens). Retry after ${retryAfterMs} ms, lower the load or maxTokens, or raise the quota.`,
      { code: 'QuotaWaitExceeded', retryable: true, retryAfterMs },
    );
  }

  #reservation(key: string, cost: number, burndown: number, backend: QuotaBackend): FleetQuotaReservation {
    let open = true;
    const limits = this.#limits;
    const close = async (tokensBack: number, error?: unknown) => {
      if (!open) return;
      open = false;
      try {
        if (throttledByBedrock(error)) await backend.throttled(key, cost, limits);
        await backend.adjust(key, tokensBack, cost, limits);
      } catch {
        // Redis went away: its books heal as they refill; nothing is moved to the other backend.
      }
      const line = this.#line(key);
      line.closed++;
      this.#ask(key, line);
    };
    return {
      // Bedrock's settlement: input + cache writes + output x burndown (cache reads do not count).
      settle: (usage) =>
        close(cost - (usage.inputTokens + (usage.cacheWriteInputTokens ?? 0) + usage.outputTokens * burndown)),
      // A failed call gives its tokens back (its request still counted).
      release: (error) => close(cost, error),
      throttled: async () => {
        if (!open) return 0;
        try {
          return await backend.throttled(key, cost, limits);
        } catch {
          return 0;
        }
      },
    };
  }

  #burndown(modelId: string): number {
    const { burndown } = this.#options;
    if (typeof burndown === 'number') return burndown;
    return (burndown ?? bedrockBurndown)(modelId);
  }

  #line(key: string): Line {
    let line = this.#lines.get(key);
    if (line === undefined) {
      line = { waiters: [], timer: undefined, asking: false, again: false, closed: 0 };
      this.#lines.set(key, line);
    }
    return line;
  }
}

function abortError(): AbortError {
  return new AbortError('The call was aborted while it waited for quota; nothing was sent.');
}

/** A 429 from Bedrock (on the last attempt of a call), not the limiter's own wait running out. */
function throttledByBedrock(error: unknown): boolean {
  const last = error instanceof RetryError ? error.lastError : error;
  return last instanceof ThrottlingError && last.code !== 'QuotaWaitExceeded';
}
