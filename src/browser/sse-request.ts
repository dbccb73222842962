/**
 * One HTTP request to the server and its Server-Sent Events, parsed with eventsource-parser as they
 * arrive. A response that is not an event stream is the server's JSON error, turned into a typed
 * `ChatHttpError`; a connection that breaks mid-body surfaces as a `ConnectionLost` the caller may
 * recover from by re-attaching.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface ClientOptions {
  /** The server's origin, e.g. `http://127.0.0.1:3000`; default '' (the page's own origin). */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <apiKey>` when the server requires keys. */
  apiKey?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** The server answered with an error status before any event: its JSON error, typed. */
export class ChatHttpError extends Error {
  override readonly name = 'ChatHttpError';
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly field: string | undefined,
    readonly fix: string | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/** The connection broke before the stream ended (network, server restart, proxy timeout). */
export class ConnectionLost extends Error {
  override readonly name = 'ConnectionLost';
}

export interface SseResponse {
  /** The `X-Generation-Id` header, when the server sent one. */
  generationId: string | undefined;
  /** The events, in order; ends when the body ends (with or without a terminal event). */
  events: AsyncIterable<EventSourceMessage>;
}

export function url(options: ClientOptions, path: string): string {
  return `${(options.baseUrl ?? '').replace(/\/+$/, '')}${path}`;
}

export function headers(options: ClientOptions, extra: Record<string, string> = {}): Record<string, string> {
  return options.apiKey === undefined ? extra : { ...extra, authorization: `Bearer ${options.apiKey}` };
}

/** Sends the request; resolves once the response headers arrived (rejects with ChatHttpError or ConnectionLost). */
export async function openSse(options: ClientOptions, path: string, init: RequestInit): Promise<SseResponse> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url(options, path), init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ConnectionLost(`Could not reach the server: ${describe(error)}`, { cause: error });
  }
  if (!response.ok) throw await httpError(response);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    throw new ChatHttpError(
      502,
      'UnexpectedResponse',
      `Expected an event stream, got "${type}".`,
      undefined,
      undefined,
      true,
      undefined,
    );
  }
  return {
    generationId: response.headers.get('x-generation-id') ?? undefined,
    events: readEvents(response.body, init.signal),
  };
}

async function* readEvents(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | null | undefined,
): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => queue.push(event) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new ConnectionLost(`The connection to the server broke: ${describe(error)}`, { cause: error });
      }
      if (chunk.done) return;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      while (queue.length > 0) yield queue.shift()!;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** Reads the server's `{ error: { type, message, field?, fix?, retryable? } }` body (or makes one). */
export async function httpError(response: Response): Promise<ChatHttpError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  let body: { error?: { type?: string; message?: string; field?: string; fix?: string; retryable?: boolean } } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const error = body.error ?? {};
  return new ChatHttpError(
    response.status,
    error.type ?? `http_${response.status}`,
    error.message ?? `The server answered ${response.status} ${response.statusText}.`,
    error.field,
    error.fix,
    error.retryable ?? (response.status === 429 || response.status >= 500),
    retryAfterMs,
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
