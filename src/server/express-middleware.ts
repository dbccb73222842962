/**
 * Mounting in Express (or Connect, or anything with `(req, res, next)`): our routes are handled,
 * everything else goes to `next()`. Works with or without `express.json()` before it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequestHandler, type BedrockRequestHandler } from './create-request-handler.js';
import type { ServerOptions } from './server-options.js';

export type NextFunction = (error?: unknown) => void;

export interface BedrockMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: NextFunction): void;
  readonly handler: BedrockRequestHandler;
}

export function expressMiddleware(options: ServerOptions | BedrockRequestHandler = {}): BedrockMiddleware {
  const handler = typeof options === 'function' ? options : createRequestHandler(options);
  const middleware = ((req: IncomingMessage, res: ServerResponse, next: NextFunction) => {
    // Mounted under a path (app.use('/ai', ...)) Express strips the prefix into req.url: route on that.
    if (!handler.handle(req, res)) next();
  }) as BedrockMiddleware;
  Object.defineProperty(middleware, 'handler', { value: handler });
  return middleware;
}
