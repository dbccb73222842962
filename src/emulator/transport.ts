/**
 * One port, two protocols. The AWS SDK's default Node handler speaks cleartext HTTP/2 with prior
 * knowledge (h2c), while curl and `NodeHttpHandler` speak HTTP/1.1 (bedrock-wire.md §0.1). We peek at
 * the first bytes of each connection: the HTTP/2 preface starts with `PRI * HTTP/2.0`, nothing else does.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';

export type EmulatorRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type EmulatorResponse = http.ServerResponse | http2.Http2ServerResponse;
export type RequestListener = (req: EmulatorRequest, res: EmulatorResponse) => void;

const H2_PREFACE_START = Buffer.from('PRI * HTTP/2.0');

export interface DualProtocolServer {
  server: net.Server;
  /** Ends idle connections and destroys the rest after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** The TCP socket under each HTTP/2 session (node forbids touching `session.socket` itself). */
const socketOfSession = new WeakMap<http2.ServerHttp2Session, net.Socket>();

/**
 * The TCP socket a request arrived on: for HTTP/2 the one under its session, so a fault can freeze the
 * whole connection below the HTTP/2 layer.
 */
export function connectionSocket(req: EmulatorRequest): net.Socket | undefined {
  const session = (req as http2.Http2ServerRequest).stream?.session as http2.ServerHttp2Session | undefined;
  if (session !== undefined) return socketOfSession.get(session);
  return req.socket as net.Socket;
}

export interface DualProtocolOptions {
  /** SETTINGS_MAX_CONCURRENT_STREAMS advertised on HTTP/2 connections (default: node's, unlimited). */
  maxConcurrentStreams?: number | undefined;
}

export function createDualProtocolServer(
  listener: RequestListener,
  options: DualProtocolOptions = {},
): DualProtocolServer {
  const http1 = http.createServer({ keepAliveTimeout: 5_000 }, listener);
  const settings =
    options.maxConcurrentStreams === undefined ? {} : { maxConcurrentStreams: options.maxConcurrentStreams };
  const h2 = http2.createServer({ settings }, listener);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  // The socket being handed to the HTTP/2 server: its 'session' event fires synchronously.
  let handingOver: net.Socket | undefined;
  h2.on('session', (session) => {
    if (handingOver !== undefined) socketOfSession.set(session, handingOver);
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  // A broken client connection must never take the emulator down.
  h2.on('sessionError', () => {});
  http1.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('readable', function route() {
      const head = socket.read() as Buffer | null;
      if (head === null) {
        if (!socket.destroyed) socket.once('readable', route);
        return;
      }
      socket.unshift(head);
      const isHttp2 = head.subarray(0, H2_PREFACE_START.length).equals(H2_PREFACE_START);
      if (!isHttp2) {
        http1.emit('connection', socket);
        return;
      }
      handingOver = socket;
      h2.emit('connection', socket);
      handingOver = undefined;
    });
  });

  return {
    server,
    close(graceMs = 1_000) {
      return new Promise((resolve) => {
        server.close(() => resolve());
        http1.closeIdleConnections();
        for (const session of sessions) session.close();
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, graceMs);
        timer.unref();
      });
    },
  };
}
