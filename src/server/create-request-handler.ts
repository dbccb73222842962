/**
 * The framework-free core: a plain Node `(req, res)` handler with find-my-way routing. Around every
 * route it applies CORS, API keys, shutdown refusal, request logs and metrics, and turns anything
 * thrown before the response started into a JSON error (never a stack, never a 500 for bad input).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import Router, { type HTTPMethod } from 'find-my-way';
import { HttpError, sendHttpError } from './http/http-error.js';
import { toHttpError } from './http/map-library-error.js';
import { cancelGeneration, chat, generationEvents, shareGeneration } from './routes/chat-routes.js';
import { apiModels, healthz, metrics, openaiModelById, openaiModels } from './routes/info-routes.js';
import { openaiChatCompletions } from './routes/openai-chat.js';
import { pageRoute } from './page/page-routes.js';
import type { RouteHandler } from './routes/route-call.js';
import { streamCompletion } from './routes/stream-completion.js';
import { resolveServerOptions, type ServerContext, type ServerOptions } from './server-options.js';

interface RouteEntry {
  name: string;
  handler: RouteHandler;
  /** Open routes skip API keys (health checks and Prometheus scrapes). */
  open?: boolean;
  /** Starts an upstream stream: subject to the per-key limits. */
  streams?: boolean;
  /** With `?share=<token>` the route checks the token instead of the API key. */
  shareable?: boolean;
}

const ROUTES: [HTTPMethod, string, RouteEntry][] = [
  ['POST', '/api/stream-completion', { name: 'stream-completion', handler: streamCompletion, streams: true }],
  ['POST', '/api/chat', { name: 'chat', handler: chat, streams: true }],
  ['GET', '/api/generations/:id/events', { name: 'generation-events', handler: generationEvents, shareable: true }],
  ['POST', '/api/generations/:id/cancel', { name: 'generation-cancel', handler: cancelGeneration }],
  ['POST', '/api/generations/:id/share', { name: 'generation-share', handler: shareGeneration }],
  ['POST', '/v1/chat/completions', { name: 'openai-chat', handler: openaiChatCompletions, streams: true }],
  ['GET', '/v1/models', { name: 'openai-models', handler: openaiModels }],
  ['GET', '/v1/models/:id', { name: 'openai-model', handler: openaiModelById }],
  ['GET', '/api/models', { name: 'models', handler: apiModels }],
  ['GET', '/healthz', { name: 'healthz', handler: healthz, open: true }],
  ['GET', '/metrics', { name: 'metrics', handler: metrics, open: true }],
];

export interface BedrockRequestHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Handles the request when it is one of ours and returns true; false leaves it to the caller. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  readonly context: ServerContext;
}

export function createRequestHandler(options: ServerOptions | ServerContext = {}): BedrockRequestHandler {
  const ctx = 'inflight' in options ? options : resolveServerOptions(options);
  const router = Router({ ignoreTrailingSlash: true });
  const noop = () => undefined;
  for (const [method, path, entry] of ROUTES) router.on(method, path, noop, entry);
  if (ctx.page !== undefined) {
    // The page is public (the API calls it makes carry the key); its files are looked up, never joined to a path.
    const page: RouteEntry = { name: 'page', handler: pageRoute(ctx.page), open: true };
    for (const path of ['/', '/index.html', '/favicon.svg', '/assets/*']) {
      router.on('GET', path, noop, page);
      router.on('HEAD', path, noop, page);
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'OPTIONS') {
      if ((router.find('GET', url) ?? router.find('POST', url)) === null) return false;
      if (ctx.cors.apply(req, res)) return true;
      res.writeHead(204, { allow: 'GET, POST, OPTIONS', 'content-length': 0 });
      res.end();
      return true;
    }
    const found = router.find(method as HTTPMethod, url);
    if (found === null) {
      if ((router.find('GET', url) ?? router.find('POST', url)) === null) return false;
      ctx.cors.apply(req, res);
      sendHttpError(res, new HttpError(405, 'method_not_allowed', `${method} is not allowed here.`));
      return true;
    }
    ctx.cors.apply(req, res);
    void run(
      ctx,
      req,
      res,
      found.store as RouteEntry,
      found.params,
      found.searchParams as Record<string, string | string[]>,
    );
    return true;
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    if (!handle(req, res)) {
      sendHttpError(
        res,
        new HttpError(
          404,
          'not_found',
          `No route for ${req.method ?? 'GET'} ${(req.url ?? '/').split('?')[0]!.slice(0, 200)}.`,
          {
            fix: 'See docs/server.md for the endpoints.',
          },
        ),
      );
    }
  }) as BedrockRequestHandler;
  handler.handle = handle;
  Object.defineProperty(handler, 'context', { value: ctx });
  return handler;
}

async function run(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  entry: RouteEntry,
  params: Record<string, string | undefined>,
  query: Record<string, string | string[]>,
): Promise<void> {
  const startedAt = performance.now();
  // A caller's own request id is kept when it looks like one (for tracing across services).
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', requestId);
  const log = ctx.logger.child({ route: entry.name, requestId });
  res.once('finish', () => {
    ctx.metrics.requests.inc({ route: entry.name, status: String(res.statusCode) });
    log.info({ status: res.statusCode, ms: Math.round(performance.now() - startedAt) }, 'request done');
  });
  try {
    if (ctx.closing && !entry.open) {
      throw new HttpError(503, 'shutting_down', 'The server is shutting down.', {
        retryable: true,
        retryAfterSeconds: 1,
      });
    }
    ctx.guards.checkHost(req);
    if (req.method === 'POST') ctx.guards.checkOrigin(req);
    const single = singleValued(query);
    const shared = entry.shareable === true && single.share !== undefined;
    const keyHash = entry.open || shared ? null : ctx.auth.authenticate(req);
    if (entry.streams === true) ctx.keyLimiter.admit(keyHash, req, res);
    await entry.handler({ ctx, req, res, params, query: single, keyHash, log, startedAt });
  } catch (error) {
    const httpError = toHttpError(error);
    if (httpError.status >= 500 && !(error instanceof HttpError)) log.error({ err: error }, 'request failed');
    if (!(error instanceof HttpError)) ctx.metrics.errors.inc({ type: httpError.type });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A body that was too big or too slow may still be arriving: close rather than read the rest.
    const unread = httpError.status === 413 || httpError.status === 408;
    sendHttpError(res, httpError, unread ? { connection: 'close' } : {});
  }
}

/** Query parameters, each given once: a repeated one (`?a=1&a=2`) is ambiguous and gets a 400. */
function singleValued(query: Record<string, string | string[]>): Record<string, string> {
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      throw new HttpError(
        400,
        'invalid_request',
        `The query parameter "${name.slice(0, 100)}" is given more than once.`,
        {
          field: name.slice(0, 100),
          fix: `Send "${name.slice(0, 100)}" once.`,
        },
      );
    }
  }
  return query as Record<string, string>;
}
