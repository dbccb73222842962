/**
 * Bedrock's quota simulation (bedrock-wire.md §6): per-model token buckets for tokens per minute and
 * requests per minute, refilled continuously. At admission a request reserves
 * `input + max_tokens × burndown`; on completion it settles to `input + output × burndown` and the
 * difference is refunded. An empty bucket answers 429 ThrottlingException before the stream starts.
 */
import { BedrockServiceError } from './bedrock-error.js';

export interface QuotaOptions {
  tokensPerMinute?: number;
  requestsPerMinute?: number;
  /** Output-token burndown multiplier: a number for all models, or a function of the base model id. */
  burndown?: number | ((baseModelId: string) => number);
}

/** Claude 4 and later burn output tokens at 5× (bedrock-wire.md §6); everything else at 1×. */
export function defaultBurndown(baseModelId: string): number {
  return /anthropic\.claude-(?:opus|sonnet|haiku)-4|anthropic\.claude-(?:opus|sonnet)-[5-9]/.test(baseModelId) ? 5 : 1;
}

class TokenBucket {
  private level: number;
  private updatedAt = Date.now();

  constructor(private readonly perMinute: number) {
    this.level = perMinute;
  }

  private refill(): void {
    const now = Date.now();
    this.level = Math.min(this.perMinute, this.level + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }

  tryTake(amount: number): boolean {
    this.refill();
    if (this.level < amount) return false;
    this.level -= amount;
    return true;
  }

  give(amount: number): void {
    this.refill();
    this.level = Math.min(this.perMinute, this.level + amount);
  }

  available(): number {
    this.refill();
    return this.level;
  }
}

export interface QuotaReservation {
  /** Settles to the real usage; refunds what was over-reserved. */
  settle(usage: { inputTokens: number; outputTokens: number }): void;
}

export class QuotaSimulator {
  private readonly tokenBuckets = new Map<string, TokenBucket>();
  private readonly requestBuckets = new Map<string, TokenBucket>();

  constructor(private options: QuotaOptions = {}) {}

  configure(options: QuotaOptions): void {
    this.options = options;
    this.tokenBuckets.clear();
    this.requestBuckets.clear();
  }

  get enabled(): boolean {
    return this.options.tokensPerMinute !== undefined || this.options.requestsPerMinute !== undefined;
  }

  /** Admits a request or throws Bedrock's ThrottlingException. */
  admit(baseModelId: string, inputTokens: number, maxTokens: number): QuotaReservation {
    const burndown = this.burndownFor(baseModelId);
    const { requestsPerMinute, tokensPerMinute } = this.options;
    if (requestsPerMinute !== undefined && !bucket(this.requestBuckets, baseModelId, requestsPerMinute).tryTake(1)) {
      throw new BedrockServiceError('ThrottlingException', 'Too many requests, please wait before trying again.');
    }
    if (tokensPerMinute === undefined) return { settle: () => {} };
    const tokens = bucket(this.tokenBuckets, baseModelId, tokensPerMinute);
    const reserved = inputTokens + maxTokens * burndown;
    if (!tokens.tryTake(reserved)) {
      throw new BedrockServiceError('ThrottlingException', 'Too many tokens, please wait before trying again.');
    }
    let settled = false;
    return {
      settle({ inputTokens: input, outputTokens }) {
        if (settled) return;
        settled = true;
        const actual = input + outputTokens * burndown;
        if (actual < reserved) tokens.give(reserved - actual);
      },
    };
  }

  /** Tokens left in a model's TPM bucket (for the admin API and tests). */
  availableTokens(baseModelId: string): number | undefined {
    const perMinute = this.options.tokensPerMinute;
    return perMinute === undefined ? undefined : bucket(this.tokenBuckets, baseModelId, perMinute).available();
  }

  private burndownFor(baseModelId: string): number {
    const { burndown } = this.options;
    if (typeof burndown === 'number') return burndown;
    return (burndown ?? defaultBurndown)(baseModelId);
  }
}

function bucket(buckets: Map<string, TokenBucket>, key: string, perMinute: number): TokenBucket {
  let found = buckets.get(key);
  if (found === undefined) {
    found = new TokenBucket(perMinute);
    buckets.set(key, found);
  }
  return found;
}
