/**
 * A local HTTP/2 server (h2c, or TLS with ALPN h2 when given a key and certificate) that answers
 * InvokeModelWithResponseStream with a short Claude answer encoded by @smithy/eventstream-codec, or
 * misbehaves on purpose: each request takes the next scripted behaviour (RST_STREAM with a code, GOAWAY,
 * a destroyed session, no answer at all), then answers normally.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { chunkFrame, concat } from '../event-stream/frames.js';

export type Behaviour =
  | { kind: 'answer' }
  /** RST_STREAM with this code before any response headers. */
  | { kind: 'rst'; code: number }
  /** GOAWAY (this stream is the last one processed), the connection stays open, the stream is answered. */
  | { kind: 'goaway-open' }
  /** GOAWAY, then the connection is closed. */
  | { kind: 'goaway-close' }
  /** The whole session destroyed before any response. */
  | { kind: 'destroy' }
  /** Held without an answer until `releaseHeld()`. */
  | { kind: 'hold' };

export interface H2TestServer {
  readonly url: string;
  readonly port: number;
  /** Requests received, sessions accepted, the most streams open at once. */
  readonly requests: number;
  readonly sessions: number;
  readonly maxOpenStreams: number;
  /** Each request's headers, in arrival order. */
  readonly received: http2.IncomingHttpHeaders[];
  script(...behaviours: Behaviour[]): void;
  releaseHeld(): void;
  close(): Promise<void>;
}

const ANSWER = concat([
  chunkFrame({ type: 'message_start', message: { usage: { input_tokens: 3 } } }),
  chunkFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello there' } }),
  chunkFrame({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }),
  chunkFrame({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 3, outputTokenCount: 2 } }),
]);

export async function startH2TestServer(
  options: { maxConcurrentStreams?: number; tls?: { key: string; cert: string } } = {},
): Promise<H2TestServer> {
  const settings =
    options.maxConcurrentStreams === undefined ? {} : { maxConcurrentStreams: options.maxConcurrentStreams };
  const server =
    options.tls === undefined
      ? http2.createServer({ settings })
      : http2.createSecureServer({ ...options.tls, settings, allowHTTP1: false });
  const queue: Behaviour[] = [];
  const held: http2.ServerHttp2Stream[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  let requests = 0;
  let sessionCount = 0;
  let open = 0;
  let maxOpen = 0;

  server.on('session', (session) => {
    sessionCount++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  const received: http2.IncomingHttpHeaders[] = [];
  server.on('stream', (stream, headers) => {
    received.push(headers);
    requests++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    stream.on('close', () => open--);
    stream.on('error', () => undefined);
    stream.resume();
    const behaviour = queue.shift() ?? { kind: 'answer' };
    switch (behaviour.kind) {
      case 'answer':
        return answer(stream);
      case 'rst':
        return stream.close(behaviour.code);
      case 'goaway-open':
        stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id);
        return answer(stream);
      case 'goaway-close': {
        const session = stream.session!;
        session.goaway(http2.constants.NGHTTP2_NO_ERROR, 0);
        setImmediate(() => session.destroy());
        return;
      }
      case 'destroy':
        return stream.session?.destroy();
      case 'hold':
        held.push(stream);
        return;
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls === undefined ? 'http' : 'https';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    get sessions() {
      return sessionCount;
    },
    get maxOpenStreams() {
      return maxOpen;
    },
    received,
    script(...behaviours) {
      queue.push(...behaviours);
    },
    releaseHeld() {
      for (const stream of held.splice(0)) if (!stream.destroyed) answer(stream);
    },
    close() {
      for (const session of sessions) session.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(stream: http2.ServerHttp2Stream): void {
  stream.respond({
    ':status': 200,
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': 'req-ok',
  });
  stream.end(ANSWER);
}
