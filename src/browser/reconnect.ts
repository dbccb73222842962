/** When and how soon a dropped stream re-attaches: capped exponential backoff with jitter, abortable. */

export interface ReconnectOptions {
  /** Attempts in a row without new text before giving up (default 8). */
  maxAttempts?: number | undefined;
  /** First delay; it doubles each attempt (default 250 ms). */
  initialDelayMs?: number | undefined;
  /** Longest delay (default 4 000 ms). */
  maxDelayMs?: number | undefined;
}

export interface ReconnectPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export function reconnectPolicy(options: ReconnectOptions | false | undefined): ReconnectPolicy | undefined {
  if (options === false) return undefined;
  return {
    maxAttempts: options?.maxAttempts ?? 8,
    initialDelayMs: options?.initialDelayMs ?? 250,
    maxDelayMs: options?.maxDelayMs ?? 4_000,
  };
}

/** "Equal jitter": between half and all of the capped delay, so clients that dropped together spread out. */
export function backoff(attempt: number, policy: ReconnectPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Waits `ms`, or less if `signal` aborts; never rejects, never leaves a listener behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Settles when `promise` does (either way) or after `ms`, whichever is first. */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  const settled = promise.then(
    () => undefined,
    () => undefined,
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}
