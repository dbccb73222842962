/**
 * The HTTP handler of the SDK client the library builds for itself: HTTP/2 on pooled sessions (h2c for
 * an http:// endpoint such as the emulator, TLS with ALPN for Bedrock), made for many long-lived
 * response streams. Per request it opens one HTTP/2 stream and attaches three listeners; once the
 * response has arrived nothing of the request is kept (the SDK's own handler holds the request, its
 * connection bookkeeping and a dozen closures for as long as the body is open). The SDK still does
 * everything else: credentials, signing, endpoints and the typed errors of non-2xx responses.
 */
import http2 from 'node:http2';
import type { IncomingHttpHeaders, IncomingHttpStatusHeader } from 'node:http2';
import { Readable } from 'node:stream';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandlerMetadata } from '@smithy/types';
import type { AbortFollower, AttemptAbort } from '../abort-state.js';
import { BODY_TAKEN, channelOf, type CallChannel } from './call-channel.js';
import { Http2SessionPool, type PooledSession } from './http2-session-pool.js';

const { NGHTTP2_CANCEL } = http2.constants;

export class StreamingHttpHandler {
  readonly metadata: RequestHandlerMetadata = { handlerProtocol: 'h2' };
  readonly #pool = new Http2SessionPool();

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
class Exchange implements AbortFollower {
  #stream: http2.ClientHttp2Stream | undefined;
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
    let pooled: PooledSession;
    let stream: http2.ClientHttp2Stream;
    try {
      pooled = this.pool.acquire(origin(request));
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
    // `on`, not `once`: each fires once anyway, and `once` wraps every listener in a bound function.
    stream.on('response', (headers) => this.#onResponse(headers));
    stream.on('error', (error) => this.#fail(error));
    stream.on('close', () => {
      this.pool.release(pooled);
      this.#unfollow();
      if (!this.#answered) {
        this.#fail(new Error(`The HTTP/2 stream closed before a response arrived (code ${stream.rstCode}).`));
      }
    });
    this.#follow();
    writeBody(stream, request.body);
  }

  /** The call was cancelled: before the response the promise carries the error, after it the body's reader. */
  abort(reason: unknown): void {
    const stream = this.#stream;
    if (stream === undefined || stream.destroyed) return;
    const error = abortError(reason);
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
    if (cancel === undefined) return;
    this.#following = true;
    if (cancel instanceof AbortSignal) cancel.addEventListener('abort', this, { once: true });
    else cancel.follow(this);
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
