/**
 * Checks that keep other web pages from driving this server through a visitor's browser:
 * - Host (DNS rebinding): with API keys off, only IP literals, `localhost` and configured `allowedHosts`.
 *   A rebinding attack needs a DNS name the attacker controls, which then arrives as the Host; an IP
 *   literal or `localhost` cannot be rebound (whatever the port, so a local proxy in front still works).
 * - Origin (cross-site requests): a state-changing request carrying an Origin must come from the
 *   server's own origin or an allowlisted one; browsers always send Origin on cross-site POSTs.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './http-error.js';

export interface RequestGuards {
  /** Throws 403 when the Host header is not one this server answers as (only with API keys off). */
  checkHost(req: IncomingMessage): void;
  /** Throws 403 when a state-changing request comes from a foreign, non-allowlisted origin. */
  checkOrigin(req: IncomingMessage): void;
}

export function createRequestGuards(options: {
  apiKeysOn: boolean;
  allowedHosts: readonly string[];
  allowsOrigin: (origin: string) => boolean;
}): RequestGuards {
  const configured = new Set(options.allowedHosts.map((host) => host.toLowerCase()));
  return {
    checkHost(req) {
      if (options.apiKeysOn) return;
      const host = (req.headers.host ?? '').toLowerCase();
      if (hostAllowed(host, configured)) return;
      throw new HttpError(403, 'forbidden_host', `This server does not answer as host "${host.slice(0, 100)}".`, {
        field: 'host',
        fix: 'Reach the server by IP address or localhost, add this name to allowedHosts (serve --allowed-host), or turn on API keys.',
      });
    },
    checkOrigin(req) {
      const origin = req.headers.origin;
      if (origin === undefined || options.allowsOrigin(origin)) return;
      if (origin !== 'null' && sameOrigin(origin, req)) return;
      throw new HttpError(403, 'forbidden_origin', `Requests from origin "${origin.slice(0, 100)}" are not allowed.`, {
        field: 'origin',
        fix: 'Call from a page served by this server, or add the origin to the CORS allowlist (serve --cors-origin).',
      });
    },
  };
}

function hostAllowed(host: string, configured: ReadonlySet<string>): boolean {
  if (host === '') return false;
  if (configured.has(host)) return true;
  const { name } = splitHost(host);
  if (configured.has(name) || name === 'localhost') return true;
  return isIP(name.startsWith('[') ? name.slice(1, -1) : name) !== 0;
}

/** `example.com:3000` -> name and port; `[::1]:3000` keeps its brackets. */
function splitHost(host: string): { name: string; port: string | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (match === null) return { name: host, port: undefined };
  return { name: match[1]!, port: match[2] };
}

/** The Origin names the same scheme-less host the request was sent to (the page this server served). */
function sameOrigin(origin: string, req: IncomingMessage): boolean {
  try {
    const url = new URL(origin);
    return url.host.toLowerCase() === (req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}
