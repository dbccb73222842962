/**
 * CORS with an allowlist: only listed origins get `Access-Control-Allow-Origin` (echoed, with `Vary:
 * Origin`), preflights are answered here, and `Last-Event-ID`/`Authorization` may be sent. `*` in the
 * list allows any origin (without credentials).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsOptions {
  origins: readonly string[];
  /** Preflight cache time in seconds (default 600). */
  maxAge?: number;
}

const ALLOW_HEADERS = 'authorization, content-type, last-event-id, x-request-id, x-requested-with';
const ALLOW_METHODS = 'GET, POST, OPTIONS';
const EXPOSE_HEADERS = 'retry-after, x-generation-id, x-request-id';

export interface CorsPolicy {
  /** Adds CORS headers; returns true when it answered a preflight (the request is done). */
  apply(req: IncomingMessage, res: ServerResponse): boolean;
  /** Whether this origin is on the allowlist. */
  allows(origin: string): boolean;
}

export function createCorsPolicy(options: CorsOptions | readonly string[] | undefined): CorsPolicy {
  const resolved: CorsOptions =
    options === undefined ? { origins: [] } : 'origins' in options ? options : { origins: options };
  const anyOrigin = resolved.origins.includes('*');
  const allowed = new Set(resolved.origins.map((origin) => origin.replace(/\/$/, '').toLowerCase()));
  const maxAge = String(resolved.maxAge ?? 600);
  const allows = (origin: string) => anyOrigin || allowed.has(origin.toLowerCase());
  return {
    allows,
    apply(req, res) {
      const origin = req.headers.origin;
      const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
      if (origin === undefined) return false;
      const ok = allows(origin);
      res.setHeader('vary', 'Origin');
      if (ok) {
        res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
        res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
      }
      if (!preflight) return false;
      if (ok) {
        res.setHeader('access-control-allow-methods', ALLOW_METHODS);
        res.setHeader('access-control-allow-headers', ALLOW_HEADERS);
        res.setHeader('access-control-max-age', maxAge);
      }
      res.writeHead(ok ? 204 : 403, { 'content-length': 0 });
      res.end();
      return true;
    },
  };
}
