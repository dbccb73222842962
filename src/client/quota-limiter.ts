/**
 * `createQuotaLimiter()`: keeps a client's calls inside Bedrock's per-model quotas (bedrock-wire.md §6)
 * instead of running into 429s. Bedrock admits a request by reserving `input + maxTokens × burndown`
 * tokens of the model's tokens-per-minute budget (and one request of its requests-per-minute budget),
 * refills both continuously, and refunds the over-reservation when the answer ends. The limiter keeps the
 * same books on the client: a call waits (first come, first served, per model) until both budgets have
 * room, its reservation settles to the real usage when it ends, and a failed call gives its tokens back.
 * Pass it as the client's `quota` option; one limiter can serve several clients sharing an account.
 */
import { AbortError, ValidationError } from '../errors.js';
import type { QuotaLimiter, QuotaReservation } from './types.js';

export interface QuotaLimiterOptions {
  /** The model's tokens-per-minute quota (per model, as Bedrock counts it). Unset: tokens are not limited. */
  tokensPerMinute?: number;
  /** The model's requests-per-minute quota. Unset: requests are not limited. */
  requestsPerMinute?: number;
  /**
   * How many quota tokens one output token costs: a number, or a function of the model id. Default:
   * Bedrock's rule, 5 for Claude 4 and later (and Claude 3.7 Sonnet), 1 otherwise.
   */
  burndown?: number | ((modelId: string) => number);
  /** The period both quotas refill over (default 60 000 ms, Bedrock's minute). */
  periodMs?: number;
}

/** Bedrock burns Claude 3.7 Sonnet's and Claude 4+'s output tokens at 5x (bedrock-wire.md §6). */
export function bedrockBurndown(modelId: string): number {
  return /claude-3-7-sonnet|claude-(?:opus|sonnet|haiku)-4|claude-(?:opus|sonnet|haiku)-[5-9]/.test(modelId) ? 5 : 1;
}

export function createQuotaLimiter(options: QuotaLimiterOptions): QuotaLimiter {
  for (const name of ['tokensPerMinute', 'requestsPerMinute', 'periodMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new ValidationError(`Quota option ${name} must be a positive number, got ${String(value)}.`, {
        code: 'InvalidQuotaOption',
      });
    }
  }
  if (typeof options.burndown === 'number' && !(Number.isFinite(options.burndown) && options.burndown > 0)) {
    throw new ValidationError(`Quota option burndown must be a positive number, got ${options.burndown}.`, {
      code: 'InvalidQuotaOption',
    });
  }
  return new BedrockQuotaLimiter(options);
}

/** A budget refilled continuously to its capacity over the period. */
class Budget {
  #level: number;
  #at = Date.now();

  constructor(
    readonly capacity: number,
    readonly periodMs: number,
  ) {
    this.#level = capacity;
  }

  /** Milliseconds until `amount` is there (0: now). */
  waitFor(amount: number): number {
    this.#refill();
    return this.#level >= amount ? 0 : Math.ceil(((amount - this.#level) * this.periodMs) / this.capacity);
  }

  take(amount: number): void {
    this.#refill();
    this.#level -= amount;
  }

  give(amount: number): void {
    this.#refill();
    this.#level = Math.min(this.capacity, this.#level + amount);
  }

  #refill(): void {
    const now = Date.now();
    this.#level = Math.min(this.capacity, this.#level + ((now - this.#at) * this.capacity) / this.periodMs);
    this.#at = now;
  }
}

interface Waiter {
  cost: number;
  burndown: number;
  resolve: (reservation: QuotaReservation) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** One model's budgets and the calls waiting for them, in arrival order. */
class ModelBudgets {
  readonly waiting: Waiter[] = [];
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly tokens: Budget | undefined,
    readonly requests: Budget | undefined,
  ) {}

  /** Milliseconds until a call costing `cost` tokens fits both budgets. */
  waitFor(cost: number): number {
    return Math.max(this.tokens?.waitFor(cost) ?? 0, this.requests?.waitFor(1) ?? 0);
  }
}

class BedrockQuotaLimiter implements QuotaLimiter {
  readonly #options: QuotaLimiterOptions;
  readonly #models = new Map<string, ModelBudgets>();

  constructor(options: QuotaLimiterOptions) {
    this.#options = options;
  }

  acquire(
    request: { modelId: string; estimatedInputTokens: number; maxTokens: number },
    signal?: AbortSignal,
  ): Promise<QuotaReservation> {
    const model = this.#budgets(request.modelId);
    const burndown = this.#burndown(request.modelId);
    const cost = request.estimatedInputTokens + request.maxTokens * burndown;
    if (model.tokens !== undefined && cost > model.tokens.capacity) {
      return Promise.reject(
        new ValidationError(
          `This call reserves ${cost} tokens (about ${request.estimatedInputTokens} of input plus maxTokens ` +
            `${request.maxTokens} x burndown ${burndown}), more than the tokens-per-minute quota of ` +
            `${model.tokens.capacity}: Bedrock would never admit it. Lower maxTokens or raise tokensPerMinute.`,
          { code: 'QuotaTooSmall' },
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { cost, burndown, resolve, signal, onAbort: undefined };
      if (signal !== undefined) {
        waiter.onAbort = () => {
          const index = model.waiting.indexOf(waiter);
          if (index < 0) return;
          model.waiting.splice(index, 1);
          reject(abortError());
          // The call behind it may fit now.
          this.#admit(model);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      model.waiting.push(waiter);
      this.#admit(model);
    });
  }

  /** Admits waiting calls in order while they fit; otherwise wakes up when the first one will. */
  #admit(model: ModelBudgets): void {
    clearTimeout(model.timer);
    model.timer = undefined;
    for (let next = model.waiting[0]; next !== undefined; next = model.waiting[0]) {
      const waitMs = model.waitFor(next.cost);
      if (waitMs > 0) {
        // A waiting call is work in progress: the timer keeps the process alive.
        model.timer = setTimeout(() => this.#admit(model), waitMs);
        return;
      }
      model.waiting.shift();
      if (next.onAbort !== undefined) next.signal?.removeEventListener('abort', next.onAbort);
      model.tokens?.take(next.cost);
      model.requests?.take(1);
      next.resolve(reservation(model, next.cost, next.burndown, () => this.#admit(model)));
    }
  }

  #burndown(modelId: string): number {
    const { burndown } = this.#options;
    if (typeof burndown === 'number') return burndown;
    return (burndown ?? bedrockBurndown)(modelId);
  }

  #budgets(modelId: string): ModelBudgets {
    let model = this.#models.get(modelId);
    if (model === undefined) {
      const { tokensPerMinute, requestsPerMinute, periodMs = 60_000 } = this.#options;
      model = new ModelBudgets(
        tokensPerMinute === undefined ? undefined : new Budget(tokensPerMinute, periodMs),
        requestsPerMinute === undefined ? undefined : new Budget(requestsPerMinute, periodMs),
      );
      this.#models.set(modelId, model);
    }
    return model;
  }
}

/** A call's reservation: settled to its real usage, or released when the call failed; once. */
function reservation(model: ModelBudgets, cost: number, burndown: number, admitNext: () => void): QuotaReservation {
  let open = true;
  const close = (refund: number) => {
    if (!open) return;
    open = false;
    if (refund > 0) model.tokens?.give(refund);
    else if (refund < 0) model.tokens?.take(-refund);
    admitNext();
  };
  return {
    // Bedrock's settlement: input + output x burndown; the difference to the reservation comes back
    // (or, when the input was estimated low, is taken).
    settle: (usage) => close(cost - (usage.inputTokens + usage.outputTokens * burndown)),
    // A call that failed gives its tokens back (its request still counted).
    release: () => close(cost),
  };
}

function abortError(): AbortError {
  return new AbortError('The call was aborted while it waited for quota; nothing was sent.');
}
