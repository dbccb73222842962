/** The limiter's options, checked once, and the limits they resolve to. */
import type { Cluster, Redis } from 'ioredis';
import { ValidationError } from '../errors.js';
import type { AdaptiveSettings, QuotaLimits } from './types.js';

export interface QuotaLimiterOptions {
  /** The model's tokens-per-minute quota (per model, as Bedrock counts it). Unset: tokens are not limited. */
  tokensPerMinute?: number;
  /** The model's requests-per-minute quota. Unset: requests are not limited. */
  requestsPerMinute?: number;
  /**
   * How many quota tokens one output token costs: a number, or a function of the model id. Default:
   * Bedrock's rule, 5 for Claude 3.7 Sonnet and Claude 4 and later, 1 otherwise.
   */
  burndown?: number | ((modelId: string) => number);
  /** The period both quotas refill over (default 60 000 ms, Bedrock's minute; tests use a few seconds). */
  periodMs?: number;
  /** Share one budget across processes: a Redis URL, an ioredis client or Cluster. Unset: books in this process. */
  redis?: string | Redis | Cluster;
  /** Prefix of the Redis keys (default `bedrock-quota:`); processes sharing a budget use the same one. */
  keyPrefix?: string;
  /**
   * When Redis cannot be reached: true (default) lets calls through on this process's own books with one
   * warning, false fails them with a ServiceError. Either way Redis is used again as soon as it answers.
   */
  failOpen?: boolean;
  /** The longest a call waits for quota before it fails with a ThrottlingError (default: one period). */
  maxWaitMs?: number;
  /** How much later than admission Bedrock may take a call's share (default 250 ms); see QuotaLimits. */
  boundaryMs?: number;
  /** Lower the rate when Bedrock throttles anyway, and recover it gradually (default on). */
  adaptive?: boolean | Partial<AdaptiveSettings>;
  /** Application inference profile ARNs (or other opaque ids) mapped to the model or profile id they run. */
  profiles?: Readonly<Record<string, string>>;
  /** Where warnings go (Redis lost, Redis back); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** How often a caller that is not first in the fleet's line asks again (default 50 ms). */
  pollMs?: number;
}

export const DEFAULT_ADAPTIVE: AdaptiveSettings = {
  enabled: true,
  decrease: 0.5,
  increasePerPeriod: 0.1,
  holdPeriods: 1,
  floor: 0.05,
};

export function checkOptions(options: QuotaLimiterOptions): void {
  for (const name of ['tokensPerMinute', 'requestsPerMinute', 'periodMs', 'maxWaitMs', 'pollMs'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw invalid(`Quota option ${name} must be a positive number, got ${String(value)}.`);
    }
  }
  if (options.boundaryMs !== undefined && !(Number.isFinite(options.boundaryMs) && options.boundaryMs >= 0)) {
    throw invalid(`Quota option boundaryMs must be a number >= 0, got ${String(options.boundaryMs)}.`);
  }
  if (typeof options.burndown === 'number' && !(Number.isFinite(options.burndown) && options.burndown > 0)) {
    throw invalid(`Quota option burndown must be a positive number, got ${options.burndown}.`);
  }
  const adaptive = resolveAdaptive(options.adaptive);
  if (!(adaptive.decrease > 0 && adaptive.decrease <= 1) || !(adaptive.floor > 0 && adaptive.floor <= 1)) {
    throw invalid('Quota option adaptive.decrease and adaptive.floor must be in (0, 1].');
  }
}

export function resolveLimits(options: QuotaLimiterOptions): QuotaLimits {
  return {
    tokens: options.tokensPerMinute ?? 0,
    requests: options.requestsPerMinute ?? 0,
    periodMs: options.periodMs ?? 60_000,
    boundaryMs: options.boundaryMs ?? 250,
    adaptive: resolveAdaptive(options.adaptive),
  };
}

function resolveAdaptive(adaptive: QuotaLimiterOptions['adaptive']): AdaptiveSettings {
  if (adaptive === false) return { ...DEFAULT_ADAPTIVE, enabled: false };
  if (adaptive === true || adaptive === undefined) return DEFAULT_ADAPTIVE;
  return { ...DEFAULT_ADAPTIVE, ...adaptive };
}

function invalid(message: string): ValidationError {
  return new ValidationError(message, { code: 'InvalidQuotaOption' });
}
