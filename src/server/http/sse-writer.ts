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
  #wrote = false;

  constructor(res: ServerResponse, options: SseWriterOptions) {
    this.#res = res;
    this.#heartbeatMs = options.heartbeatMs;
    res.writeHead(200, { ...SSE_HEADERS, ...options.headers });
    res.flushHeaders();
    if (this.#heartbeatMs > 0) {
      this.#timer = setInterval(() => this.#beat(), this.#heartbeatMs);
      this.#timer.unref();
    }
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
    this.#wrote = true;
    return this.#res.write(frame) ? undefined : drained(this.#res);
  }

  end(): void {
    this.#stop();
    if (!this.closed) this.#res.end();
  }

  #beat(): void {
    if (this.closed) return this.#stop();
    if (!this.#wrote) this.#res.write(': ping\n\n');
    this.#wrote = false;
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
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
