/**
 * The retry policy: only errors classified retryable, only before the first content chunk (the
 * callers enforce the phase), capped exponential backoff with full jitter, Retry-After honoured
 * within the cap, abortable sleeps, and a RetryError carrying every attempt's error at the end.
 */
import { AbortError, RetryError, TimeoutError, ValidationError, type BedrockInferenceError } from '../errors.js';
import type { RetryPolicy } from './types.js';

export interface ResolvedRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 8000 };

export function resolveRetryPolicy(policy: RetryPolicy | undefined): ResolvedRetryPolicy {
  const resolved = { ...DEFAULT_RETRY_POLICY, ...policy };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new ValidationError(`retry.maxAttempts must be a whole number >= 1 (got ${resolved.maxAttempts}).`);
  }
  if (!(resolved.baseDelayMs >= 0) || !(resolved.maxDelayMs >= 0)) {
    throw new ValidationError('retry.baseDelayMs and retry.maxDelayMs must be numbers >= 0.');
  }
  return resolved;
}

/** Whether another attempt may follow `attempt` (1-based) failing with `error`. */
export function shouldRetry(error: BedrockInferenceError, attempt: number, policy: ResolvedRetryPolicy): boolean {
  // Aborts are the caller's own outcome and timeouts already spent the caller's patience.
  if (error instanceof AbortError || error instanceof TimeoutError) return false;
  return error.retryable && attempt < policy.maxAttempts;
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
