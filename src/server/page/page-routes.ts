/**
 * GET / and GET /assets/*: the chat page, with a strict Content-Security-Policy. Model output is
 * sanitised by the page before it touches the DOM; the policy is the second line: no inline script,
 * no remote script, style, image, font or connection, so one missed case in the sanitiser is not an
 * exploit and model output can never make the browser fetch from another origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '../http/http-error.js';
import type { RouteCall } from '../routes/route-call.js';
import type { PageAsset, PageAssets } from './page-assets.js';

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

export function pageRoute(assets: PageAssets) {
  return (call: RouteCall): void => {
    const urlPath = decodePath(call.req.url ?? '/');
    const asset = urlPath === undefined ? undefined : assets.get(urlPath);
    if (asset === undefined) {
      if (!assets.built) {
        throw new HttpError(503, 'page_not_built', `The chat page is not built (no index.html in ${assets.dir}).`, {
          fix: 'Run `npm run build` (it builds the page into dist/web), then restart the server.',
        });
      }
      throw new HttpError(404, 'not_found', 'No such file.');
    }
    sendAsset(call.req, call.res, asset);
  };
}

function decodePath(url: string): string | undefined {
  const raw = url.split('?')[0]!;
  try {
    const decoded = decodeURIComponent(raw);
    // Files are looked up in a fixed map, so this only keeps odd paths out of logs and lookups.
    return decoded.includes('\0') || decoded.includes('..') ? undefined : decoded;
  } catch {
    return undefined;
  }
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: PageAsset): void {
  const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = acceptsGzip && asset.gzip !== undefined ? asset.gzip : asset.body;
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'content-type': asset.contentType,
    'content-length': body.length,
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'accept-encoding',
  };
  if (body === asset.gzip) headers['content-encoding'] = 'gzip';
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
