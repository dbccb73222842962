/**
 * Writes a generation's text and reasoning deltas to the registry without making upstream wait for
 * each write: while one append is in flight, further deltas of the same kind are merged into the
 * next append. A fast registry (memory, nearby Redis) sees one append per delta; a slow one sees
 * fewer, larger appends, and viewers still get every character, in order.
 */

export type DeltaKind = 'text' | 'reasoning';

export class DeltaWriter {
  readonly #write: (kind: DeltaKind, delta: string) => Promise<void>;
  #inflight: Promise<void> | undefined;
  #pendingKind: DeltaKind = 'text';
  #pending = '';
  #failure: { error: unknown } | undefined;

  /** `write` appends one event; it is never called again before its previous call settled. */
  constructor(write: (kind: DeltaKind, delta: string) => Promise<void>) {
    this.#write = write;
  }

  /** Queues a delta; returns a promise only when it must wait (a different kind is still queued). */
  push(kind: DeltaKind, delta: string): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#pending !== '' && this.#pendingKind !== kind) {
      return this.flush().then(() => this.push(kind, delta));
    }
    if (this.#inflight === undefined) {
      this.#start(kind, delta);
    } else {
      this.#pendingKind = kind;
      this.#pending += delta;
    }
    return undefined;
  }

  /** Resolves once everything queued is written; rejects with the first failed write. */
  async flush(): Promise<void> {
    while (this.#inflight !== undefined) await this.#inflight;
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  #start(kind: DeltaKind, delta: string): void {
    this.#inflight = this.#write(kind, delta).then(
      () => {
        this.#inflight = undefined;
        if (this.#pending === '') return;
        const merged = this.#pending;
        this.#pending = '';
        this.#start(this.#pendingKind, merged);
      },
      (error: unknown) => {
        this.#inflight = undefined;
        this.#pending = '';
        this.#failure = { error };
      },
    );
  }
}
