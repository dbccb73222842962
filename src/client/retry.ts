/**
 * The retry policy: only errors classified retryable, only before the first content chunk (the
 * callers enforce the phase), capped exponential backoff with full jitter, Retry-After honoured
 * within the cap, abortable sleeps, and a RetryError carrying every attempt's error at the end.
 */
import {
  AbortError,
  ConnectionError,
  RetryError,
  TimeoutError,
  ValidationError,
  type BedrockInferenceError,
} from '../errors.js';
import type { RetryPolicy } from './types.js';

export interface ResolvedRetryPolicy {
  maxAttempts: number;
  mode?: RetryPolicy['mode'];
  baseDelayMs: number;
  maxDelayMs: number;
  /** Shared by every call of one client (resolveRetryPolicy makes one per client). */
  budget?: RetryBudget | undefined;
}

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 8000 };

/**
 * A client's retry budget, as the SDK's standard retry quota: a retry costs 5 tokens (10 after a timeout
 * or connection failure), a call that succeeds gives one back (or what its retries cost), the bucket
 * holds 500. When an outage empties it, calls fail after their first attempt instead of tripling the load.
 */
export class RetryBudget {
  static readonly CAPACITY = 500;
  #tokens = RetryBudget.CAPACITY;

  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the cost of retrying after `error`; false (nothing taken) when the budget cannot pay it. */
  take(error: BedrockInferenceError): boolean {
    const cost = error instanceof TimeoutError || error instanceof ConnectionError ? 10 : 5;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** A call succeeded after `attempts` attempts. */
  succeeded(attempts: number): void {
    const refund = attempts > 1 ? 5 * (attempts - 1) : 1;
    this.#tokens = Math.min(RetryBudget.CAPACITY, this.#tokens + refund);
  }
}

/** `AWS_MAX_ATTEMPTS`, as the SDK reads it, when the policy does not set maxAttempts. */
function environmentMaxAttempts(): number | undefined {
  const raw = process.env.AWS_MAX_ATTEMPTS;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`AWS_MAX_ATTEMPTS must be a whole number >= 1 (got "${raw}").`);
  }
  return value;
}

export function resolveRetryPolicy(policy: RetryPolicy | undefined): ResolvedRetryPolicy {
  const fromEnvironment = environmentMaxAttempts();
  const resolved: ResolvedRetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...(fromEnvironment === undefined ? {} : { maxAttempts: fromEnvironment }),
    ...policy,
    budget: new RetryBudget(),
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new ValidationError(`retry.maxAttempts must be a whole number >= 1 (got ${resolved.maxAttempts}).`);
  }
  if (resolved.mode !== undefined && !['standard', 'adaptive', 'legacy'].includes(resolved.mode)) {
    throw new ValidationError(`retry.mode must be standard, adaptive or legacy (got ${String(resolved.mode)}).`);
  }
  if (!(resolved.baseDelayMs >= 0) || !(resolved.maxDelayMs >= 0)) {
    throw new ValidationError('retry.baseDelayMs and retry.maxDelayMs must be numbers >= 0.');
  }
  return resolved;
}

/**
 * Whether another attempt may follow `attempt` (1-based) failing with `error`; `errors` holds this
 * phase's errors, `error` last. Aborts are the caller's own outcome. A first-chunk timeout (a stalled or
 * dead connection, nothing delivered) and a corrected clock skew are retried once; other timeouts
 * already spent the caller's patience.
 */
export function shouldRetry(
  error: BedrockInferenceError,
  attempt: number,
  policy: ResolvedRetryPolicy,
  errors: readonly BedrockInferenceError[] = [error],
): boolean {
  if (error instanceof AbortError || attempt >= policy.maxAttempts) return false;
  // A caller's SDK client already retried this error itself: retries do not multiply (docs/client.md).
  if (sdkAttempts(error) > 1) return false;
  if (error instanceof TimeoutError) {
    if (error.timeout !== 'firstChunk' || errors.filter(isFirstChunkTimeout).length > 1) return false;
  } else if (isSkewCorrected(error)) {
    if (errors.filter(isSkewCorrected).length > 1) return false;
  } else if (!error.retryable) return false;
  return policy.budget?.take(error) ?? true;
}

function isFirstChunkTimeout(error: BedrockInferenceError): boolean {
  return error instanceof TimeoutError && error.timeout === 'firstChunk';
}

/** The SDK's signer corrected its clock offset from this answer: a fresh signature will be accepted. */
export function isSkewCorrected(error: BedrockInferenceError): boolean {
  return (error.cause as SdkMetadata | undefined)?.$metadata?.clockSkewCorrected === true;
}

/** The attempts the SDK's own retry strategy made for this error (1 for our own client). */
function sdkAttempts(error: BedrockInferenceError): number {
  return (error.cause as SdkMetadata | undefined)?.$metadata?.attempts ?? 1;
}

interface SdkMetadata {
  $metadata?: { clockSkewCorrected?: boolean; attempts?: number };
}

/** Full jitter over a doubling, capped ceiling; a server's Retry-After is a floor, also capped. */
export function backoffDelay(
  attempt: number,
  error: BedrockInferenceError,
  policy: ResolvedRetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  if (error.retryAfterMs !== undefined && error.retryAfterMs > jittered) {
    return Math.min(policy.maxDelayMs, error.retryAfterMs);
  }
  return jittered;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (listener removed). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error to throw once retrying stops: the error itself, or a RetryError when there were retries. */
export function finalRetryError(errors: readonly BedrockInferenceError[]): BedrockInferenceError {
  const last = errors[errors.length - 1];
  if (last === undefined) throw new Error('finalRetryError needs at least one error');
  if (errors.length === 1) return last;
  return new RetryError(
    `Gave up after ${errors.length} attempts; the last failed with: ${last.message}`,
    errors.slice(),
    last,
  );
}
