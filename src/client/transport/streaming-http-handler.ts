/**
 * The HTTP handler of the SDK client the library builds for itself: HTTP/2 on pooled sessions (h2c for
 * an http:// endpoint such as the emulator, TLS with ALPN for Bedrock), made for many long-lived
 * response streams. Per request it opens one HTTP/2 stream and attaches three listeners; once the
 * response has arrived nothing of the request is kept (the SDK's own handler holds the request, its
 * connection bookkeeping and a dozen closures for as long as the body is open). The SDK still does
 * everything else: credentials, signing, endpoints and the typed errors of non-2xx responses.
 * A stream the server did not process (REFUSED_STREAM, above a GOAWAY's last stream id) is sent again on
 * another session; one closed before its response headers fails as a connection error, which is retried.
 */
import http2 from 'node:http2';
import type { IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import { Readable } from 'node:stream';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandlerMetadata } from '@smithy/types';
import type { AbortFollower, AttemptAbort, StallListener } from '../abort-state.js';
import { BODY_TAKEN, channelOf, type CallChannel } from './call-channel.js';
import { Http2SessionPool, type AwaitingStream, type PoolOptions, type PooledSession } from './http2-session-pool.js';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;

/** A stream the server refused (not processed) is sent again on another session this many times at most. */
const MAX_REFUSED_RESENDS = 3;

export class StreamingHttpHandler {
  readonly metadata: RequestHandlerMetadata = { handlerProtocol: 'h2' };
  readonly #pool: Http2SessionPool;

  constructor(options: Partial<PoolOptions> = {}) {
    this.#pool = new Http2SessionPool(options);
  }

  handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const channel = channelOf(request);
    // Our own calls carry their cancellation on the channel; anyone else's send() may pass a signal.
    const cancel = channel?.abort ?? (options?.abortSignal as AbortSignal | undefined);
    if (cancel?.aborted) return Promise.reject(abortError(cancel.reason));
    const replay = channel?.replay;
    if (replay !== undefined) {
      channel!.replay = undefined;
      return Promise.resolve({ response: replay });
    }
    return new Promise((resolve, reject) => {
      new Exchange(this.#pool, channel, cancel, resolve, reject).send(request);
    });
  }

  destroy(): void {
    this.#pool.destroy();
  }

  // The SDK's handler-configuration hooks: this handler has nothing for it to configure.
  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

/**
 * One request and its response headers. Listens for the response, an error or an early close, and
 * follows the cancellation until the stream closes (which also covers a body the SDK reads, such as an
 * error response's); a taken streaming body is followed by its reader from then on.
 */
class Exchange implements AbortFollower, StallListener, AwaitingStream {
  #stream: http2.ClientHttp2Stream | undefined;
  #pooled: PooledSession | undefined;
  #request: HttpRequest | undefined;
  /** The stream closed because the server did not process it (GOAWAY): resent, not failed. */
  #refused: http2.ClientHttp2Stream | undefined;
  #resends = 0;
  #answered = false;
  #following = false;
  // Dropped once answered: the exchange lives as long as the stream, the promise's job is done.
  #channel: CallChannel | undefined;
  #resolve: ((output: { response: HttpResponse }) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(
    readonly pool: Http2SessionPool,
    channel: CallChannel | undefined,
    readonly cancel: AttemptAbort | AbortSignal | undefined,
    resolve: (output: { response: HttpResponse }) => void,
    reject: (error: unknown) => void,
  ) {
    this.#channel = channel;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  send(request: HttpRequest): void {
    // Followed from the start: an attempt that times out while a session is being opened or checked fails.
    this.#follow();
    let acquired: PooledSession | Promise<PooledSession>;
    try {
      acquired = this.pool.acquire(origin(request));
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (acquired instanceof Promise) {
      acquired.then(
        (pooled) => this.#open(pooled, request),
        (error: unknown) => this.#fail(error),
      );
    } else this.#open(acquired, request);
  }

  /** The request's stream on `pooled` (whose slot it holds until the stream closes). */
  #open(pooled: PooledSession, request: HttpRequest): void {
    if (this.#answered || this.cancel?.aborted) {
      // Cancelled while the session was being opened or checked: give the slot back, report the abort.
      this.pool.release(pooled);
      if (this.cancel?.aborted) this.#fail(abortError(this.cancel.reason));
      this.#unfollow();
      return;
    }
    let stream: http2.ClientHttp2Stream;
    try {
      stream = openStream(this.pool, pooled, request);
    } catch (error) {
      this.#fail(error);
      return;
    }
    // Node keeps the sent headers (the signature, the user agent, the path) as long as the stream is
    // open; nothing reads them once sent, and their values would cost every open stream about a kilobyte.
    const sent = stream.sentHeaders;
    for (const name in sent) delete sent[name];
    this.#stream = stream;
    this.#pooled = pooled;
    // Kept until the response headers: a refused stream is sent again from it.
    this.#request = request;
    pooled.awaiting.add(this);
    // `on`, not `once`: each fires once anyway, and `once` wraps every listener in a bound function.
    stream.on('response', (headers) => this.#onResponse(headers));
    stream.on('error', (error) => {
      if (stream === this.#stream && !this.#resendRefused(stream)) this.#fail(error);
    });
    stream.on('close', () => {
      pooled.awaiting.delete(this);
      this.pool.release(pooled);
      // A stream already resent elsewhere: the exchange lives on with the new one.
      if (stream !== this.#stream) return;
      this.#unfollow();
      if (this.#answered || this.#resendRefused(stream)) return;
      this.#fail(closedBeforeResponse(stream.rstCode, pooled.session));
    });
    writeBody(stream, request.body);
  }

  get streamId(): number | undefined {
    return this.#stream?.id;
  }

  /** The server's GOAWAY says it did not process this stream: it goes to another session now. */
  unprocessed(): void {
    const stream = this.#stream;
    if (stream === undefined || this.#answered) return;
    this.#refused = stream;
    stream.close(NGHTTP2_CANCEL);
  }

  /**
   * A stream the server did not process (REFUSED_STREAM, or above a GOAWAY's last stream id; RFC 9113
   * §8.7) is sent again on another session, without spending a retry attempt. True when it was.
   */
  #resendRefused(stream: http2.ClientHttp2Stream): boolean {
    const request = this.#request;
    if (this.#answered || request === undefined || stream !== this.#stream) return false;
    const refused = this.#refused === stream || stream.rstCode === NGHTTP2_REFUSED_STREAM;
    if (!refused || this.#resends >= MAX_REFUSED_RESENDS || !resendable(request.body)) return false;
    this.#resends++;
    this.#stream = undefined;
    this.#pooled!.awaiting.delete(this);
    this.pool.retire(this.#pooled!);
    this.#unfollow();
    this.send(request);
    return true;
  }

  /** The attempt timed out waiting for this stream: the session may be dead, new streams go elsewhere. */
  stalled(): void {
    const pooled = this.#pooled;
    if (pooled !== undefined) this.pool.suspect(pooled);
  }

  /** The call was cancelled: before the response the promise carries the error, after it the body's reader. */
  abort(reason: unknown): void {
    const stream = this.#stream;
    const error = abortError(reason);
    if (stream === undefined) {
      // No stream yet (a session is being opened or checked): the promise carries the error now.
      this.#fail(error);
      return;
    }
    if (stream.destroyed) return;
    this.#fail(error);
    stream.close(NGHTTP2_CANCEL);
    stream.destroy(error);
  }

  /** An AbortSignal listener object (handleEvent): no closure per request. */
  handleEvent(): void {
    this.abort((this.cancel as AbortSignal).reason);
  }

  #follow(): void {
    const cancel = this.cancel;
    if (cancel === undefined || this.#following) return;
    this.#following = true;
    if (cancel instanceof AbortSignal) cancel.addEventListener('abort', this, { once: true });
    else {
      cancel.follow(this);
      // Told when the attempt times out, even after the body's reader took over the cancellation.
      cancel.stallListener = this;
    }
  }

  #unfollow(): void {
    if (!this.#following) return;
    this.#following = false;
    const cancel = this.cancel!;
    if (cancel instanceof AbortSignal) cancel.removeEventListener('abort', this);
    else cancel.unfollow(this);
  }

  #onResponse(raw: IncomingHttpHeaders & IncomingHttpStatusHeader): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    const channel = this.#channel;
    if (!this.#answer() || resolve === undefined || reject === undefined) return;
    const statusCode = raw[':status'] ?? -1;
    const headers = transformHeaders(raw);
    const stream = this.#stream!;
    if (channel !== undefined) {
      channel.statusCode = statusCode;
      channel.headers = headers;
      if (channel.takesBody && statusCode >= 200 && statusCode < 300) {
        channel.body = stream;
        // The body's reader follows the cancellation itself from here on.
        this.#unfollow();
        reject(BODY_TAKEN);
        return;
      }
    }
    resolve({ response: { statusCode, headers, body: stream } });
  }

  #fail(error: unknown): void {
    const reject = this.#reject;
    if (this.#answer()) reject?.(error);
  }

  /** True the first time only: the promise settles once, then the exchange lets go of it. */
  #answer(): boolean {
    if (this.#answered) return false;
    this.#answered = true;
    this.#pooled?.awaiting.delete(this);
    this.#request = undefined;
    this.#channel = undefined;
    this.#resolve = undefined;
    this.#reject = undefined;
    return true;
  }
}

function origin(request: HttpRequest): string {
  const port = request.port === undefined ? '' : `:${request.port}`;
  return `${request.protocol}//${request.hostname}${port}`;
}

/**
 * The stream closed before its response headers (RST_STREAM NO_ERROR or CANCEL, GOAWAY then a close, the
 * session destroyed): nothing was delivered, a connection failure the client retries on a fresh session.
 */
function closedBeforeResponse(rstCode: number, session: http2.ClientHttp2Session): Error {
  const why = session.destroyed ? 'the connection closed' : `RST_STREAM code ${rstCode}`;
  const error = new Error(`The HTTP/2 stream closed before a response arrived (${why}).`);
  return Object.assign(error, { code: 'ERR_HTTP2_STREAM_CLOSED_BEFORE_RESPONSE' });
}

function resendable(body: unknown): boolean {
  return body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
}

function openStream(pool: Http2SessionPool, pooled: PooledSession, request: HttpRequest): http2.ClientHttp2Stream {
  let path = request.path;
  const query = request.query === undefined ? '' : queryString(request.query);
  if (query !== '') path += `?${query}`;
  const headers: http2.OutgoingHttpHeaders = { ...request.headers, ':method': request.method, ':path': path };
  try {
    return pooled.session.request(headers);
  } catch (error) {
    // A session that cannot open streams (ids used up, closing) is replaced by a fresh one, once.
    pool.release(pooled);
    pool.retire(pooled);
    const fresh = pool.acquire(pooled.origin);
    if (fresh instanceof Promise) {
      // No live session at hand: the failure is a connection error, retried as one.
      fresh.then(
        (taken) => pool.release(taken),
        () => undefined,
      );
      throw error;
    }
    try {
      return fresh.session.request(headers);
    } catch {
      pool.release(fresh);
      throw error;
    }
  }
}

function queryString(query: NonNullable<HttpRequest['query']>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const name = encodeURIComponent(key);
    if (value === null || value === undefined) parts.push(name);
    else if (Array.isArray(value)) for (const item of value) parts.push(`${name}=${encodeURIComponent(item)}`);
    else parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  return parts.join('&');
}

function writeBody(stream: http2.ClientHttp2Stream, body: unknown): void {
  if (body === undefined || body === null) stream.end();
  else if (typeof body === 'string' || body instanceof Uint8Array) stream.end(body);
  else if (body instanceof Readable) body.pipe(stream);
  else stream.end(Buffer.from(body as ArrayBuffer));
}

/** Node's response headers as the SDK expects them: lower-case names, one string each, no pseudo-headers. */
function transformHeaders(raw: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in raw) {
    if (name.charCodeAt(0) === 0x3a /* ':' */) continue;
    const value = raw[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/** The error the SDK's own handlers reject with on abort (name AbortError), keeping the reason. */
function abortError(reason: unknown): Error {
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('Request aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}
