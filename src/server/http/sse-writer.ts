/**
 * Server-Sent Events written safely: an `id:` on every event (for Last-Event-ID), no CR/LF in `event`
 * or `id`, multi-line data split into several `data:` lines, heartbeat comments while silent, the
 * headers proxies need (`Cache-Control: no-cache`, `X-Accel-Buffering: no`), and `drain` respected.
 * Hot path: one string and one write per event; the data is the JSON serialised once upstream.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

const LINE_BREAK = /\r\n|\r|\n/;
const LINE_BREAKS = /[\r\n]/g;

/** One SSE event as bytes on the wire. */
export function formatSseEvent(id: string, event: string, data: string): string {
  const safeId = id.includes('\n') || id.includes('\r') ? id.replace(LINE_BREAKS, '') : id;
  const safeEvent = event.includes('\n') || event.includes('\r') ? event.replace(LINE_BREAKS, '') : event;
  const body = data.includes('\n') || data.includes('\r') ? data.split(LINE_BREAK).join('\ndata: ') : data;
  return `id: ${safeId}\nevent: ${safeEvent}\ndata: ${body}\n\n`;
}

export interface SseWriterOptions {
  /** A `: ping` comment after this much silence (ms); 0 turns heartbeats off. */
  heartbeatMs: number;
  headers?: OutgoingHttpHeaders;
}

export class SseWriter {
  readonly #res: ServerResponse;
  readonly #heartbeatMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** Date.now() of the last write: the heartbeat is due heartbeatMs after it. */
  #lastWriteAt = Date.now();

  constructor(res: ServerResponse, options: SseWriterOptions) {
    this.#res = res;
    this.#heartbeatMs = options.heartbeatMs;
    res.writeHead(200, { ...SSE_HEADERS, ...options.headers });
    res.flushHeaders();
    if (this.#heartbeatMs > 0) this.#schedule(this.#heartbeatMs);
  }

  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  /** Writes one event; returns a promise only when the socket is full (wait for it: that is `drain`). */
  send(id: string, event: string, data: string): Promise<void> | undefined {
    return this.write(formatSseEvent(id, event, data));
  }

  /** Writes pre-formatted SSE text (e.g. OpenAI's `data: {...}\n\n`). */
  write(frame: string): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.#lastWriteAt = Date.now();
    return this.#res.write(frame) ? undefined : drained(this.#res);
  }

  end(): void {
    this.#stop();
    if (!this.closed) this.#res.end();
  }

  /**
   * One timer at a time, due heartbeatMs after the last write: it fires, and either pings (the
   * silence is long enough) or sleeps for what is left. Writes only move a timestamp (hot path).
   */
  #schedule(ms: number): void {
    this.#timer = setTimeout(() => this.#beat(), ms);
    this.#timer.unref();
  }

  #beat(): void {
    this.#timer = undefined;
    if (this.closed) return;
    const silentFor = Date.now() - this.#lastWriteAt;
    if (silentFor >= this.#heartbeatMs) {
      this.#res.write(': ping\n\n');
      this.#lastWriteAt = Date.now();
      this.#schedule(this.#heartbeatMs);
    } else {
      this.#schedule(Math.max(1, Math.ceil(this.#heartbeatMs - silentFor)));
    }
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** Resolves on `drain`, or when the response closes (a gone client must not hang the loop). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
