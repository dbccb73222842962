/**
 * Cancellation and the timeouts the SDK lacks. A CallScope owns one call's AbortController: the
 * caller's signal, abort() and the total timeout all abort it. An AttemptWatchdog owns one upstream
 * request: it follows the call and adds the first-chunk and between-chunk timeouts. Every timeout
 * aborts with a TimeoutError reason; timers are cleared and listeners removed on dispose.
 */
import { AbortError, TimeoutError, ValidationError } from '../errors.js';
import type { TimeoutPolicy } from './types.js';

export interface ResolvedTimeouts {
  firstChunkMs: number;
  betweenChunksMs: number;
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: ResolvedTimeouts = { firstChunkMs: 60_000, betweenChunksMs: 30_000, totalMs: 600_000 };

/** Later policies override earlier ones field by field (client options, then the request). */
export function resolveTimeouts(...policies: (TimeoutPolicy | undefined)[]): ResolvedTimeouts {
  const resolved = { ...DEFAULT_TIMEOUTS };
  for (const policy of policies) {
    if (policy === undefined) continue;
    for (const key of ['firstChunkMs', 'betweenChunksMs', 'totalMs'] as const) {
      const value = policy[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !(value > 0)) {
        throw new ValidationError(`timeouts.${key} must be a positive number of ms (got ${String(value)}).`);
      }
      resolved[key] = value;
    }
  }
  return resolved;
}

/** An AbortError for a caller-side cancellation, keeping the caller's reason as the cause. */
export function toAbortError(reason: unknown, what: string): AbortError | TimeoutError {
  if (reason instanceof AbortError || reason instanceof TimeoutError) return reason;
  return new AbortError(`${what}; the upstream request was closed.`, { cause: reason });
}

/** One call: the caller's signal, abort() and the total timeout, all into one controller. */
export class CallScope {
  readonly controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  #totalTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onCallerAbort = () => {
    this.abort(toAbortError(this.#callerSignal?.reason, 'The request was cancelled by its AbortSignal'));
  };

  readonly #totalMs: number;
  #started = false;

  constructor(callerSignal: AbortSignal | undefined, totalMs: number) {
    this.#callerSignal = callerSignal;
    this.#totalMs = totalMs;
  }

  /** Arms the total timeout and follows the caller's signal; nothing is attached before the call starts. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const totalMs = this.#totalMs;
    this.#totalTimer = setTimeout(() => {
      this.abort(
        new TimeoutError('total', `The call took longer than ${totalMs} ms (total timeout); raise timeouts.totalMs.`),
      );
    }, totalMs);
    this.#totalTimer.unref?.();
    if (this.#callerSignal?.aborted) this.#onCallerAbort();
    else this.#callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: AbortError | TimeoutError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Clears the timer and removes the listener added to the caller's signal. */
  dispose(): void {
    clearTimeout(this.#totalTimer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}

/**
 * One upstream request. The timer runs only while we wait for upstream: a slow consumer holding an
 * event is not upstream silence, so a firing timer re-arms itself when we are not waiting.
 */
export class AttemptWatchdog {
  readonly controller = new AbortController();
  readonly #call: AbortSignal;
  readonly #timeouts: ResolvedTimeouts;
  #timer: ReturnType<typeof setTimeout>;
  #streaming = false;
  #waiting = true;
  readonly #onCallAbort = () => {
    this.#abort(this.#call.reason);
  };
  readonly #onTimer = () => {
    if (this.controller.signal.aborted) return;
    if (!this.#waiting) {
      this.#timer.refresh();
      return;
    }
    const { firstChunkMs, betweenChunksMs } = this.#timeouts;
    this.#abort(
      this.#streaming
        ? new TimeoutError(
            'betweenChunks',
            `Bedrock sent nothing for ${betweenChunksMs} ms mid-stream (between-chunks timeout); the stream was closed. Retry, or raise timeouts.betweenChunksMs.`,
          )
        : new TimeoutError(
            'firstChunk',
            `No content from Bedrock within ${firstChunkMs} ms of sending the request (first-chunk timeout). Retry later, or raise timeouts.firstChunkMs.`,
          ),
    );
  };

  constructor(callSignal: AbortSignal, timeouts: ResolvedTimeouts) {
    this.#call = callSignal;
    this.#timeouts = timeouts;
    this.#timer = setTimeout(this.#onTimer, timeouts.firstChunkMs);
    this.#timer.unref?.();
    if (callSignal.aborted) this.#abort(callSignal.reason);
    else callSignal.addEventListener('abort', this.#onCallAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Before awaiting upstream (hot path: one flag and a timer refresh, no allocation). */
  waitStart(): void {
    this.#waiting = true;
    if (this.#streaming) this.#timer.refresh();
  }

  /** Upstream delivered; the consumer may now hold the event as long as it likes. */
  waitEnd(): void {
    this.#waiting = false;
  }

  /** The first content chunk arrived: from now on the between-chunks timeout applies. */
  contentStarted(): void {
    if (this.#streaming) return;
    this.#streaming = true;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onTimer, this.#timeouts.betweenChunksMs);
    this.#timer.unref?.();
  }

  get timedOut(): boolean {
    return this.controller.signal.reason instanceof TimeoutError;
  }

  abort(reason: unknown): void {
    this.#abort(reason);
  }

  #abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#call.removeEventListener('abort', this.#onCallAbort);
  }
}
