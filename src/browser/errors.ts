/**
 * What can go wrong between this client and the server, and how each failure becomes the one
 * terminal `error` event a stream ends with.
 */
import type { ErrorEvent } from './chat-events.js';

/** The server answered with an error status: its JSON error (`{ error: { type, message, field?, fix? } }`), typed. */
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

/** The connection broke or never came up (network, server restart, proxy timeout): worth re-attaching. */
export class ConnectionLost extends Error {
  override readonly name = 'ConnectionLost';
}

/** Reads the server's JSON error body (or makes one up from the status when a proxy answered). */
export async function httpError(response: Response): Promise<ChatHttpError> {
  const retryAfter = Number(response.headers.get('retry-after') ?? '');
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  let body: { error?: { type?: unknown; message?: unknown; field?: unknown; fix?: unknown; retryable?: unknown } } = {};
  try {
    body = ((await response.json()) ?? {}) as typeof body;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const error = typeof body.error === 'object' && body.error !== null ? body.error : {};
  return new ChatHttpError(
    response.status,
    typeof error.type === 'string' ? error.type : `http_${response.status}`,
    typeof error.message === 'string'
      ? error.message
      : `The server answered ${`${response.status} ${response.statusText}`.trim()}.`,
    typeof error.field === 'string' ? error.field : undefined,
    typeof error.fix === 'string' ? error.fix : undefined,
    typeof error.retryable === 'boolean' ? error.retryable : response.status === 429 || response.status >= 500,
    retryAfterMs,
  );
}

/** The terminal event for a failure; `partialText` is the answer so far (kept for a Continue button). */
export function toErrorEvent(error: unknown, partialText: string, reattaching: boolean): ErrorEvent {
  if (error instanceof ChatHttpError) {
    if (reattaching && error.status === 404) {
      return {
        type: 'error',
        errorType: 'GenerationLost',
        message: 'The generation is no longer on the server; the partial answer is kept.',
        retryable: true,
        partialText,
        status: 404,
      };
    }
    const event: ErrorEvent = {
      type: 'error',
      errorType: error.errorType,
      message: error.message,
      retryable: error.retryable,
      partialText,
      status: error.status,
    };
    if (error.field !== undefined) event.field = error.field;
    if (error.fix !== undefined) event.fix = error.fix;
    if (error.retryAfterMs !== undefined) event.retryAfterMs = error.retryAfterMs;
    return event;
  }
  const message = describe(error);
  return {
    type: 'error',
    errorType: 'NetworkError',
    message: reattaching ? `Lost the connection to the server and could not reconnect: ${message}` : message,
    retryable: true,
    partialText,
  };
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
