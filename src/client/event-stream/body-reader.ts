/**
 * Reads a response body (IncomingMessage or ClientHttp2Stream) in flowing mode and decodes each read
 * synchronously into a FrameSink as it arrives: no promise, copy or buffer per read. Backpressure stays
 * the body's own: once the sink holds more undelivered steps than the high-water mark (a consumer that
 * reads slower than Bedrock writes), the body is paused, so the socket and then HTTP/2 flow control stop
 * the sender; the consumer's next wait resumes it. Ends and fails as node's stream.finished does (an
 * error, or a close before the end is a premature close); a body that ended cleanly is not destroyed,
 * so an HTTP/2 stream closes by itself instead of being reset after its last frame.
 */
import type { Readable } from 'node:stream';
import { EventStreamDecoder, type FrameSink } from './decoder.js';

/**
 * Undelivered steps above which the body is paused. A consumer that keeps up with chunks arriving one by
 * one never pauses the body; a read of many frames pauses it until the consumer has taken them (one
 * pause and resume per read); one that falls behind holds little more than a read's decoded events.
 */
export const HIGH_WATER_STEPS = 16;

export interface PumpSink extends FrameSink {
  /** Steps decoded but not handed to the consumer yet. */
  readonly pending: number;
}

export class BodyReader {
  readonly #body: Readable;
  readonly #sink: PumpSink;
  readonly #decoder = new EventStreamDecoder();
  #ended = false;
  #error: unknown;
  #paused = false;
  #detached = false;
  #wake: (() => void) | undefined;
  readonly #onData = (read: Uint8Array): void => this.#data(read);
  readonly #onEnd = (): void => this.#end();
  readonly #onError = (error: unknown): void => {
    this.#error ??= error;
    this.#notify();
  };
  readonly #onClose = (): void => {
    if (!this.#ended && this.#error === undefined) this.#error = prematureClose();
    this.#detach();
    this.#notify();
  };

  constructor(body: Readable, sink: PumpSink) {
    this.#body = body;
    this.#sink = sink;
    body.on('end', this.#onEnd);
    body.on('error', this.#onError);
    body.on('close', this.#onClose);
    body.on('data', this.#onData);
  }

  /** The body ended cleanly (every frame complete). */
  get ended(): boolean {
    return this.#ended;
  }

  /** What ended the body otherwise (an error, a framing error, a premature close). */
  get error(): unknown {
    return this.#error;
  }

  /**
   * Resolves at the next read, end or failure (check `ended`, `error` and the sink first: what already
   * happened does not wake a later wait). Resumes a paused body first.
   */
  wait(): Promise<void> {
    if (this.#paused) {
      this.#paused = false;
      this.#body.resume();
    }
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }

  /** Ends the read with `error` (an abort, a timeout): the request is closed and a waiting read wakes. */
  abort(error: Error): void {
    this.#error ??= error;
    this.close();
    this.#notify();
  }

  /** Stops reading (done, or left early): a body that did not end cleanly is destroyed, closing the request. */
  close(): void {
    this.#detach();
    if (!this.#ended && !this.#body.destroyed) this.#body.destroy();
  }

  #data(read: Uint8Array): void {
    try {
      this.#decoder.push(read, this.#sink);
    } catch (error) {
      // A framing error: the frames before it are in the sink and are handed over first.
      this.#error ??= error;
      this.#detach();
      this.#body.destroy();
    }
    if (this.#sink.pending > HIGH_WATER_STEPS && !this.#paused) {
      this.#paused = true;
      this.#body.pause();
    }
    this.#notify();
  }

  #end(): void {
    try {
      this.#decoder.end();
      this.#ended = true;
    } catch (error) {
      this.#error ??= error;
    }
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    const body = this.#body;
    body.off('data', this.#onData);
    body.off('end', this.#onEnd);
    body.off('close', this.#onClose);
    // The error listener stays: a destroyed body may still emit its error, which must not go unhandled.
  }
}

function prematureClose(): Error {
  const error = new Error('The response stream closed before it ended (premature close).') as Error & { code: string };
  error.code = 'ERR_STREAM_PREMATURE_CLOSE';
  return error;
}
