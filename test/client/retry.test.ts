import { describe, expect, it } from 'vitest';
import {
  AbortError,
  RetryError,
  ServiceError,
  ThrottlingError,
  TimeoutError,
  ValidationError,
} from '../../src/errors.js';
import { backoffDelay, finalRetryError, resolveRetryPolicy, shouldRetry, sleep } from '../../src/client/retry.js';

const policy = resolveRetryPolicy({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 });
const throttled = new ThrottlingError('slow down', { retryable: true });

describe('retry policy', () => {
  it('has defaults and rejects nonsense', () => {
    expect(resolveRetryPolicy(undefined)).toMatchObject({ maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 8000 });
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(ValidationError);
  });

  it('takes maxAttempts from AWS_MAX_ATTEMPTS unless the policy sets it', () => {
    const saved = process.env.AWS_MAX_ATTEMPTS;
    process.env.AWS_MAX_ATTEMPTS = '5';
    try {
      expect(resolveRetryPolicy(undefined).maxAttempts).toBe(5);
      expect(resolveRetryPolicy({ maxAttempts: 2 }).maxAttempts).toBe(2);
      process.env.AWS_MAX_ATTEMPTS = 'lots';
      expect(() => resolveRetryPolicy(undefined)).toThrow(ValidationError);
    } finally {
      if (saved === undefined) delete process.env.AWS_MAX_ATTEMPTS;
      else process.env.AWS_MAX_ATTEMPTS = saved;
    }
  });

  it('retries only retryable errors, never aborts or late timeouts, and stops at maxAttempts', () => {
    expect(shouldRetry(throttled, 1, policy)).toBe(true);
    expect(shouldRetry(throttled, 4, policy)).toBe(false);
    expect(shouldRetry(new ValidationError('bad'), 1, policy)).toBe(false);
    expect(shouldRetry(new AbortError('stop', { retryable: true }), 1, policy)).toBe(false);
    expect(shouldRetry(new TimeoutError('betweenChunks', 't', { retryable: true }), 1, policy)).toBe(false);
    expect(shouldRetry(new TimeoutError('total', 't', { retryable: true }), 1, policy)).toBe(false);
  });

  it('retries a first-chunk timeout (nothing delivered) once', () => {
    const stalled = () => new TimeoutError('firstChunk', 't', { retryable: false });
    const first = stalled();
    expect(shouldRetry(first, 1, policy, [first])).toBe(true);
    const second = stalled();
    expect(shouldRetry(second, 2, policy, [first, second])).toBe(false);
  });

  it('retries an error the SDK corrected its clock skew for once, and nothing the SDK already retried', () => {
    const skewed = () =>
      new ValidationError('Signature expired', { cause: { $metadata: { clockSkewCorrected: true, attempts: 1 } } });
    const first = skewed();
    expect(shouldRetry(first, 1, policy, [first])).toBe(true);
    const second = skewed();
    expect(shouldRetry(second, 2, policy, [first, second])).toBe(false);
    const retriedBySdk = new ThrottlingError('slow down', { retryable: true, cause: { $metadata: { attempts: 3 } } });
    expect(shouldRetry(retriedBySdk, 1, policy)).toBe(false);
  });

  it('shares a retry budget per client: an outage empties it, successes refill it', () => {
    const shared = resolveRetryPolicy({ maxAttempts: 2 });
    let retries = 0;
    while (shouldRetry(throttled, 1, shared)) retries++;
    expect(retries).toBe(100); // 500 tokens at 5 per retry, as the SDK's standard retry quota
    expect(shouldRetry(throttled, 1, shared)).toBe(false);
    for (let i = 0; i < 5; i++) shared.budget!.succeeded(1);
    expect(shouldRetry(throttled, 1, shared)).toBe(true);
    expect(shouldRetry(throttled, 1, resolveRetryPolicy({ maxAttempts: 2 }))).toBe(true);
  });

  it('uses full jitter under a doubling ceiling capped at maxDelayMs', () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, throttled, policy, top)).toBe(99);
    expect(backoffDelay(2, throttled, policy, top)).toBe(199);
    expect(backoffDelay(3, throttled, policy, top)).toBe(399);
    expect(backoffDelay(10, throttled, policy, top)).toBe(999);
    expect(backoffDelay(3, throttled, policy, () => 0)).toBe(0);
  });

  it('honours Retry-After as a floor, capped at maxDelayMs', () => {
    const withHint = (ms: number) => new ThrottlingError('x', { retryable: true, retryAfterMs: ms });
    expect(backoffDelay(1, withHint(500), policy, () => 0)).toBe(500);
    expect(backoffDelay(1, withHint(60_000), policy, () => 0)).toBe(1000);
  });

  it('returns the only error, or a RetryError carrying every attempt', () => {
    const first = new ServiceError('one', { retryable: true });
    const second = new ServiceError('two', { retryable: true, requestId: 'r2' });
    expect(finalRetryError([first])).toBe(first);
    const error = finalRetryError([first, second]);
    expect(error).toBeInstanceOf(RetryError);
    expect((error as RetryError).errors).toEqual([first, second]);
    expect((error as RetryError).lastError).toBe(second);
    expect(error.requestId).toBe('r2');
    expect(error.message).toMatch(/Gave up after 2 attempts.*two/);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason and removes its listener', async () => {
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;

    await sleep(1, controller.signal);
    expect(listeners).toBe(0);

    const reason = new AbortError('stop');
    const pending = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(sleep(10, controller.signal)).rejects.toBe(reason);
  });
});
