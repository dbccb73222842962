/**
 * A response body (IncomingMessage or ClientHttp2Stream) as an async iterable of reads, pull-based:
 * `read()` takes whatever is buffered only when asked, so backpressure stays the stream's own. It ends
 * and fails exactly as node's own iterator does (stream.finished: premature close, errors), but holds
 * no generator per open stream and does not destroy a body that ended cleanly: an HTTP/2 stream then
 * closes by itself instead of being reset (RST_STREAM) after its last frame.
 */
import { finished, type Readable } from 'node:stream';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class BodyReads implements AsyncIterableIterator<Uint8Array> {
  readonly #body: Readable;
  #ended = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  readonly #onReadable = (): void => this.#notify();
  readonly #stopWatching: () => void;

  constructor(body: Readable) {
    this.#body = body;
    body.on('readable', this.#onReadable);
    this.#stopWatching = finished(body, { writable: false }, (error) => {
      if (error) this.#error = error;
      else this.#ended = true;
      this.#notify();
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    for (;;) {
      if (this.#error !== undefined) {
        this.#release();
        throw this.#error;
      }
      const chunk = this.#body.destroyed ? null : (this.#body.read() as Uint8Array | null);
      if (chunk !== null) return { done: false, value: chunk };
      if (this.#ended) {
        this.#release();
        return DONE;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** The reader stops early (break, error downstream): the request is closed. */
  async return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#release();
    if (!this.#body.destroyed) this.#body.destroy();
    return DONE;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #release(): void {
    this.#body.off('readable', this.#onReadable);
    this.#stopWatching();
  }
}
