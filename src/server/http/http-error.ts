/**
 * The server's client-facing error: a status, a stable `type`, a message safe to show, and (for bad
 * input) the field at fault and how to fix it. Serialised as `{ error: { type, message, field?, fix? } }`.
 */
import type { ServerResponse } from 'node:http';

export interface HttpErrorBody {
  type: string;
  message: string;
  field?: string;
  fix?: string;
  retryable?: boolean;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly type: string;
  readonly field: string | undefined;
  readonly fix: string | undefined;
  /** Whether retrying can help, when known (sent as `retryable` and `x-should-retry`). */
  readonly retryable: boolean | undefined;
  /** Seconds, sent as Retry-After (429/503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    type: string,
    message: string,
    extra: { field?: string; fix?: string; retryable?: boolean; retryAfterSeconds?: number | undefined } = {},
  ) {
    super(message);
    this.status = status;
    this.type = type;
    this.field = extra.field;
    this.fix = extra.fix;
    this.retryable = extra.retryable;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }

  toBody(): HttpErrorBody {
    const body: HttpErrorBody = { type: this.type, message: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.fix !== undefined) body.fix = this.fix;
    // Said whenever it is known: a client cannot tell a used-up quota's 429 from a rate's by its status.
    if (this.retryable !== undefined) body.retryable = this.retryable;
    return body;
  }
}

/** A 400 naming the field and the fix. */
export function badRequest(field: string, message: string, fix: string): HttpError {
  return new HttpError(400, 'invalid_request', message, { field, fix });
}

export function notFound(message: string): HttpError {
  return new HttpError(404, 'not_found', message);
}

/** Writes a JSON error response; `openai` adds the fields OpenAI clients read (`param`, `code`). */
export function sendHttpError(res: ServerResponse, error: HttpError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = error.toBody() as HttpErrorBody & { param?: string | null; code?: string | null };
  body.param = error.field ?? null;
  body.code = error.type;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...extraHeaders };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  // OpenAI's SDKs (and others) read this before their own rule (retry every 429 and 5xx): a used-up quota
  // is then not asked again, three times, for nothing.
  if (body.retryable !== undefined) headers['x-should-retry'] = String(body.retryable);
  sendJson(res, error.status, { error: body }, headers);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
