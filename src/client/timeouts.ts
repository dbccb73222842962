/**
 * Cancellation and the timeouts the SDK lacks. A CallScope owns one call's AbortController: the
 * caller's signal, abort() and the total timeout all abort it. An AttemptWatchdog owns one upstream
 * request: it follows the call and adds the first-chunk and between-chunk timeouts. Every timeout
 * aborts with a TimeoutError reason; timers are cleared and listeners removed on dispose.
 */
import { AbortError, TimeoutError, ValidationError } from '../errors.js';
import { AbortState, type AbortFollower, type AttemptAbort, type StallListener } from './abort-state.js';
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

/**
 * One call: the caller's signal, abort() and the total timeout, all into one abort state. What follows
 * the call (its stream, the current attempt) is told directly on abort, not through listeners on a
 * signal: fewer listener records and closures per open stream.
 */
export class CallScope extends AbortState {
  /** The stream's hook, run once the call is aborted. */
  onAbort: (() => void) | undefined;
  /** The attempt in flight (attempts run one at a time), aborted with the call. */
  #attempt: AttemptWatchdog | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  #followingCaller = false;
  #totalTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #totalMs: number;
  #started = false;

  constructor(callerSignal: AbortSignal | undefined, totalMs: number) {
    super();
    this.#callerSignal = callerSignal;
    this.#totalMs = totalMs;
  }

  /** Timer callbacks take the scope as an argument: no closure per call. */
  static #onTotalTimeout(scope: CallScope): void {
    scope.abort(
      new TimeoutError(
        'total',
        `The call took longer than ${scope.#totalMs} ms (total timeout); raise timeouts.totalMs.`,
      ),
    );
  }

  /** Arms the total timeout and follows the caller's signal; nothing is attached before the call starts. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#totalTimer = setTimeout(CallScope.#onTotalTimeout, this.#totalMs, this);
    this.#totalTimer.unref?.();
    const caller = this.#callerSignal;
    if (caller === undefined) return;
    if (caller.aborted) this.handleEvent();
    else {
      // The scope itself is the listener (EventTarget's handleEvent): no closure per call.
      this.#followingCaller = true;
      caller.addEventListener('abort', this, { once: true });
    }
  }

  /** The caller's signal fired. */
  handleEvent(): void {
    this.abort(toAbortError(this.#callerSignal?.reason, 'The request was cancelled by its AbortSignal'));
  }

  abort(reason: AbortError | TimeoutError): void {
    if (!this.markAborted(reason)) return;
    const onAbort = this.onAbort;
    this.onAbort = undefined;
    onAbort?.();
    this.#attempt?.abort(reason);
  }

  /** An attempt follows the call until it is disposed. */
  attach(attempt: AttemptWatchdog): void {
    this.#attempt = attempt;
  }

  detach(attempt: AttemptWatchdog): void {
    if (this.#attempt === attempt) this.#attempt = undefined;
  }

  /** Clears the timer and removes the listener added to the caller's signal. */
  dispose(): void {
    clearTimeout(this.#totalTimer);
    this.#totalTimer = undefined;
    if (this.#followingCaller) this.#callerSignal?.removeEventListener('abort', this);
    this.#followingCaller = false;
    this.onAbort = undefined;
  }
}

/**
 * One upstream request. The timer runs only while we wait for upstream: a slow consumer holding an
 * event is not upstream silence, so a firing timer re-arms itself when we are not waiting.
 */
export class AttemptWatchdog extends AbortState implements AttemptAbort {
  /** The call: a CallScope tells us directly; a bare signal is followed with a listener. */
  readonly #call: CallScope | AbortSignal;
  #onCallAbort: (() => void) | undefined;
  readonly #timeouts: ResolvedTimeouts;
  #timer: ReturnType<typeof setTimeout>;
  #streaming = false;
  #waiting = true;
  /** The attempt's HTTP exchange or body reader, told directly on abort (no listener on a signal). */
  #follower: AbortFollower | undefined;
  /** The timer callback takes the watchdog as an argument: no closure per attempt. */
  static #onTimeout(watchdog: AttemptWatchdog): void {
    watchdog.#onTimer();
  }

  #onTimer(): void {
    if (this.aborted) return;
    if (!this.#waiting) {
      this.#timer.refresh();
      return;
    }
    const { firstChunkMs, betweenChunksMs } = this.#timeouts;
    this.stallListener?.stalled();
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
  }

  constructor(call: CallScope | AbortSignal, timeouts: ResolvedTimeouts) {
    super();
    this.#call = call;
    this.#timeouts = timeouts;
    this.#timer = setTimeout(AttemptWatchdog.#onTimeout, timeouts.firstChunkMs, this);
    this.#timer.unref?.();
    if (call.aborted) this.#abort(call.reason);
    else if (call instanceof CallScope) call.attach(this);
    else {
      const onCallAbort = () => this.#abort(call.reason);
      this.#onCallAbort = onCallAbort;
      call.addEventListener('abort', onCallAbort, { once: true });
    }
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
    this.#timer = setTimeout(AttemptWatchdog.#onTimeout, this.#timeouts.betweenChunksMs, this);
    this.#timer.unref?.();
  }

  get timedOut(): boolean {
    return this.reason instanceof TimeoutError;
  }

  abort(reason: unknown): void {
    this.#abort(reason);
  }

  /** The HTTP exchange under this attempt: told on a timeout so its connection can be checked. */
  stallListener: StallListener | undefined;

  /** The exchange, then the body being read, is aborted with the attempt (at once if it already is). */
  follow(follower: AbortFollower): void {
    if (this.aborted) follower.abort(this.reason as Error);
    else this.#follower = follower;
  }

  unfollow(follower: AbortFollower): void {
    if (this.#follower === follower) this.#follower = undefined;
  }

  #abort(reason: unknown): void {
    if (!this.markAborted(reason)) return;
    const follower = this.#follower;
    this.#follower = undefined;
    follower?.abort(reason as Error);
  }

  dispose(): void {
    this.#follower = undefined;
    this.stallListener = undefined;
    clearTimeout(this.#timer);
    const call = this.#call;
    if (call instanceof CallScope) call.detach(this);
    else if (this.#onCallAbort !== undefined) call.removeEventListener('abort', this.#onCallAbort);
    this.#onCallAbort = undefined;
  }
}
