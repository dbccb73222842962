/** The quota module's vocabulary: limits, what a backend answers, and what a snapshot shows. */

/** One model's configured limits, as the limiter sends them with every call to its backend. */
export interface QuotaLimits {
  /** Tokens per period; 0: not limited. */
  tokens: number;
  /** Requests per period; 0: not limited. */
  requests: number;
  /** The period both refill over (Bedrock's minute, or a few seconds in tests). */
  periodMs: number;
  /**
   * How much later than our admission Bedrock may take its share: when a full bucket is drawn on, its
   * refill starts this much later, so Bedrock's own bucket (which loses the refill in that gap) is never
   * behind ours at the next boundary.
   */
  boundaryMs: number;
  adaptive: AdaptiveSettings;
}

/** AIMD on the rate when Bedrock throttles anyway: multiply down at once, add back slowly. */
export interface AdaptiveSettings {
  /** False: throttles still resynchronise the books, but the rate never changes. */
  enabled: boolean;
  /** Factor the rate is multiplied by on a throttle (default 0.5). */
  decrease: number;
  /** Share of the configured rate added back per period once recovery starts (default 0.1). */
  increasePerPeriod: number;
  /** Periods without a throttle before the rate starts to climb again (default 1). */
  holdPeriods: number;
  /** The rate never falls below this share of the configured one (default 0.05). */
  floor: number;
}

/** What a backend answers to an admission attempt. */
export type AdmitOutcome =
  | { admitted: true }
  /** `ticket`: the caller's place in the fleet-wide queue, kept for the next attempt. */
  | { admitted: false; waitMs: number; ticket: string };

/** One model's books as a snapshot shows them. */
export interface ModelQuotaSnapshot {
  key: string;
  /** Tokens that could be reserved now (undefined: tokens not limited). */
  tokensAvailable: number | undefined;
  requestsAvailable: number | undefined;
  /** Tokens held by admitted calls that have not settled yet. */
  tokensReserved: number;
  /** Callers waiting for this model (the whole fleet's with Redis). */
  waiting: number;
  /** The learnt share of the configured rate (1: as configured; lower after Bedrock throttled). */
  rateFactor: number;
  learntTokensPerPeriod: number | undefined;
  learntRequestsPerPeriod: number | undefined;
  throttles: number;
}

export interface QuotaSnapshot {
  backend: 'memory' | 'redis' | 'memory (Redis unavailable)';
  periodMs: number;
  models: ModelQuotaSnapshot[];
}

/** Where the books live. Every method is one atomic step on one model's books. */
export interface QuotaBackend {
  readonly kind: 'memory' | 'redis';
  /** Admits a call costing `cost` tokens and one request if it is first in line and fits. */
  admit(key: string, cost: number, ticket: string | undefined, limits: QuotaLimits): Promise<AdmitOutcome>;
  /** Gives back (positive) or takes (negative) tokens when a call settles; `reserved` leaves the books. */
  adjust(key: string, tokens: number, reserved: number, limits: QuotaLimits): Promise<void>;
  /** Bedrock throttled a call holding `cost`: drain the books, lower the rate; ms until it may retry. */
  throttled(key: string, cost: number, limits: QuotaLimits): Promise<number>;
  /** A waiting caller gave up (abort, maximum wait): leave the queue. */
  leave(key: string, ticket: string): Promise<void>;
  snapshot(key: string, limits: QuotaLimits): Promise<ModelQuotaSnapshot>;
  /** Keys this backend holds books for (with Redis: the whole fleet's). */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}
