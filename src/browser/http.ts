/** How every request reaches the server: its URL, its headers (the API key) and plain JSON calls. */
import { httpError } from './errors.js';

export interface ClientOptions {
  /** The server's origin, e.g. `http://127.0.0.1:3000`; default '' (the page's own origin). */
  baseUrl?: string | undefined;
  /** Sent as `Authorization: Bearer <apiKey>` on every request when the server requires keys. */
  apiKey?: string | undefined;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch | undefined;
}

export function url(options: ClientOptions, path: string): string {
  return `${(options.baseUrl ?? '').replace(/\/+$/, '')}${path}`;
}

export function headers(options: ClientOptions, extra: Record<string, string> = {}): Record<string, string> {
  return options.apiKey === undefined ? extra : { ...extra, authorization: `Bearer ${options.apiKey}` };
}

export function fetchOf(options: ClientOptions): typeof fetch {
  // Looked up at call time (tests and polyfills may replace it), and never called as a method of
  // `options`: browsers throw "Illegal invocation" for a fetch whose `this` is not the window.
  const custom = options.fetch;
  return custom === undefined ? (input, init) => globalThis.fetch(input, init) : (input, init) => custom(input, init);
}

export function generationPath(id: string, action: 'events' | 'cancel' | 'share'): string {
  return `/api/generations/${encodeURIComponent(id)}/${action}`;
}

/** One JSON request: the parsed body, or a ChatHttpError with the server's error. */
export async function requestJson(
  options: ClientOptions,
  method: 'GET' | 'POST',
  path: string,
  signal?: AbortSignal,
): Promise<unknown> {
  const response = await fetchOf(options)(url(options, path), {
    method,
    headers: headers(options, { accept: 'application/json' }),
    ...(signal === undefined ? {} : { signal }),
  });
  if (!response.ok) throw await httpError(response);
  return response.json();
}
