/**
 * An abort state whose AbortSignal is made only when something asks for it. Every open stream holds a
 * call scope and an attempt watchdog; an AbortController with its signal (an EventTarget and its two
 * maps) costs about half a kilobyte, and most streams never need one: what follows a scope or an attempt
 * (the stream, the HTTP exchange, the body reader) is told directly, without listeners.
 */

/** Something told directly when an attempt is aborted (the HTTP exchange, then the body reader). */
export interface AbortFollower {
  abort(reason: Error): void;
}

/** Told when an attempt timed out waiting for upstream (the connection under it may be dead). */
export interface StallListener {
  stalled(): void;
}

/** What a transport needs of an attempt's cancellation: its state, a signal on demand, direct followers. */
export interface AttemptAbort {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** An AbortSignal for APIs that take one (made on first use). */
  readonly signal: AbortSignal;
  /** Told at once when the attempt is aborted (now, if it already is); one follower at a time. */
  follow(follower: AbortFollower): void;
  unfollow(follower: AbortFollower): void;
  /** The HTTP exchange under the attempt, told when the attempt times out. */
  stallListener?: StallListener | undefined;
}

export class AbortState {
  #aborted = false;
  #reason: unknown;
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Marks the state aborted; false when it already was. */
  protected markAborted(reason: unknown): boolean {
    if (this.#aborted) return false;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    return true;
  }
}
