/**
 * `createServer(options)`: the streaming server as its own node:http process, with graceful shutdown:
 * stop accepting, give every running generation its final event (GenerationService.shutdown), close
 * the direct upstream streams, let responses finish, then close the rest.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler, type BedrockRequestHandler } from './create-request-handler.js';
import { resolveServerOptions, type ServerContext, type ServerOptions } from './server-options.js';

export interface BedrockServer {
  readonly server: Server;
  readonly handler: BedrockRequestHandler;
  readonly context: ServerContext;
  /** Listens (port 0 picks a free one) and resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Graceful shutdown; streams still open after `graceMs` (default 5 000) are cut. */
  close(options?: { graceMs?: number }): Promise<void>;
}

export type CreateServerOptions = ServerOptions;

export function createServer(options: CreateServerOptions = {}): BedrockServer {
  const context = resolveServerOptions(options);
  const handler = createRequestHandler(context);
  const server = createHttpServer(handler);
  // Slow clients are bounded: Node's requestTimeout covers only receiving the request (headers and
  // body), never how long an SSE response lives, so a body that never finishes cannot hold a socket.
  // The body reader's own 408 (limits.bodyTimeoutMs) answers sooner; idle keep-alive sockets close.
  server.headersTimeout = 20_000;
  server.requestTimeout = Math.max(30_000, context.limits.bodyTimeoutMs + 5_000);
  server.keepAliveTimeout = 5_000;
  let closing: Promise<void> | undefined;

  return {
    server,
    handler,
    context,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    close(closeOptions = {}) {
      closing ??= shutdown(server, context, closeOptions.graceMs ?? 5_000);
      return closing;
    },
  };
}

async function shutdown(server: Server, ctx: ServerContext, graceMs: number): Promise<void> {
  ctx.closing = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  ctx.logger.info({ inflight: ctx.inflight.size }, 'shutting down');
  // Final events to generation viewers, and upstream calls closed.
  await ctx.generations
    ?.shutdown()
    .catch((error: unknown) => ctx.logger.error({ err: error }, 'generations shutdown failed'));
  for (const controller of ctx.inflight) controller.abort(new Error('server shutting down'));
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  idle.unref();
  await closed;
  clearTimeout(timer);
  clearInterval(idle);
  await ctx.ownedRegistry?.close().catch((error: unknown) => ctx.logger.warn({ err: error }, 'registry close failed'));
  if (ctx.ownsClient) ctx.client.destroy();
}
