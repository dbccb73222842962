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
  /** The period both buckets refill over (default 60 000 ms, Bedrock's minute); tests use a few seconds. */
  periodMs?: number;
}

/**
 * Bedrock's quotas-token-burndown page: output tokens burn at 5x for Claude 3.7 Sonnet and the Claude 4
 * and later models (Opus, Sonnet, Haiku); 1x for everything else.
 */
export function defaultBurndown(baseModelId: string): number {
  return /anthropic\.claude-3-7-sonnet|anthropic\.claude-(?:opus|sonnet|haiku)-(?:[4-9]|\d\d)/.test(baseModelId)
    ? 5
    : 1;
}

class TokenBucket {
  private level: number;
  private updatedAt = Date.now();

  constructor(
    private readonly perMinute: number,
    private readonly periodMs: number,
  ) {
    this.level = perMinute;
  }

  private refill(): void {
    const now = Date.now();
    this.level = Math.min(this.perMinute, this.level + ((now - this.updatedAt) * this.perMinute) / this.periodMs);
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

/** What the simulation decided, kept (the last 10 000) so tests can count 429s and check admitted budgets. */
export interface QuotaDecision {
  at: number;
  baseModelId: string;
  /** Tokens reserved at admission (0 for a throttled request). */
  reserved: number;
  throttled: 'requests' | 'tokens' | undefined;
}

const KEPT_DECISIONS = 10_000;

export class QuotaSimulator {
  readonly decisions: QuotaDecision[] = [];
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

  /**
   * Admits a request or throws Bedrock's ThrottlingException. Bedrock keeps one quota per model and
   * inference type: a plain id and its foundation-model ARN draw on the on-demand quota, a cross-Region
   * profile (`us.`, `global.`, ... or its ARN) on that profile's own; a bare string is a base model id.
   */
  admit(
    model: string | { modelId: string; baseModelId: string },
    inputTokens: number,
    maxTokens: number,
  ): QuotaReservation {
    const baseModelId = typeof model === 'string' ? model : meteredId(model.modelId, model.baseModelId);
    const burndown = this.burndownFor(typeof model === 'string' ? model : model.baseModelId);
    const { requestsPerMinute, tokensPerMinute } = this.options;
    if (
      requestsPerMinute !== undefined &&
      !this.bucket(this.requestBuckets, baseModelId, requestsPerMinute).tryTake(1)
    ) {
      this.record(baseModelId, 0, 'requests');
      throw new BedrockServiceError('ThrottlingException', 'Too many requests, please wait before trying again.');
    }
    if (tokensPerMinute === undefined) {
      this.record(baseModelId, 0, undefined);
      return { settle: () => {} };
    }
    const tokens = this.bucket(this.tokenBuckets, baseModelId, tokensPerMinute);
    const reserved = inputTokens + maxTokens * burndown;
    if (!tokens.tryTake(reserved)) {
      this.record(baseModelId, 0, 'tokens');
      throw new BedrockServiceError('ThrottlingException', 'Too many tokens, please wait before trying again.');
    }
    this.record(baseModelId, reserved, undefined);
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
    return perMinute === undefined ? undefined : this.bucket(this.tokenBuckets, baseModelId, perMinute).available();
  }

  private record(baseModelId: string, reserved: number, throttled: QuotaDecision['throttled']): void {
    if (this.decisions.length >= KEPT_DECISIONS) this.decisions.shift();
    this.decisions.push({ at: Date.now(), baseModelId, reserved, throttled });
  }

  private bucket(buckets: Map<string, TokenBucket>, key: string, perMinute: number): TokenBucket {
    let found = buckets.get(key);
    if (found === undefined) {
      found = new TokenBucket(perMinute, this.options.periodMs ?? 60_000);
      buckets.set(key, found);
    }
    return found;
  }

  private burndownFor(baseModelId: string): number {
    const { burndown } = this.options;
    if (typeof burndown === 'number') return burndown;
    return (burndown ?? defaultBurndown)(baseModelId);
  }
}

/** `us.anthropic...` for calls through a system profile (id or ARN), the base model id otherwise. */
function meteredId(modelId: string, baseModelId: string): string {
  const id = modelId.startsWith('arn:') ? modelId.slice(modelId.indexOf('/') + 1) : modelId;
  const dot = id.indexOf('.');
  return dot > 0 && id.slice(dot + 1) === baseModelId ? id : baseModelId;
}
