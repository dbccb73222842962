/**
 * Maps the library's error hierarchy to HTTP before streaming starts, and to the typed `error` event
 * after. Only the library's own messages (written for users) reach clients; anything else is a bug
 * and is reported as a generic 500 whose details stay in the logs.
 */
import { BedrockInferenceError, RetryError } from '../../index.js';
import { HttpError } from './http-error.js';

/** What is known about a failure: a library error, or the fields of a generation's `error` event. */
export interface FailureFacts {
  /** The library error class name (`ThrottlingError`, `ValidationError`, ...). */
  type: string;
  message: string;
  retryable: boolean;
  statusCode?: number | undefined;
  retryAfterMs?: number | undefined;
  code?: string | undefined;
}

const FIXES: Record<string, string> = {
  ValidationError: 'Correct the request as the message says; retrying it unchanged will fail again.',
  AccessDeniedError: 'Grant these AWS credentials access to the model (Bedrock console: Model access) or use others.',
  ModelNotFoundError: 'Check the model id and region; GET /api/models lists the models this server knows.',
  ThrottlingError: 'Wait for the time in Retry-After, then retry.',
  ServiceError: 'Retry later; Bedrock or the model failed on its side.',
  ConnectionError: 'Retry; the connection to Bedrock failed.',
  StreamInterruptedError: 'Retry (or resume from the partial text); the upstream stream broke.',
  TimeoutError: 'Retry, or ask for fewer tokens; Bedrock did not answer in time.',
  AbortError: 'The generation was cancelled; start a new one.',
};

const QUOTA_FIX =
  'Ask for a higher quota in the Service Quotas console, or ask for fewer tokens; retrying will not help.';

export function factsOf(error: BedrockInferenceError): FailureFacts {
  const last = error instanceof RetryError ? error.lastError : error;
  return {
    type: last.name,
    message: error.message,
    retryable: error.retryable,
    statusCode: last.statusCode,
    retryAfterMs: last.retryAfterMs,
    code: last.code,
  };
}

function statusFor(facts: FailureFacts): number {
  switch (facts.type) {
    case 'ValidationError':
      return facts.statusCode === 413 ? 413 : 400;
    case 'AccessDeniedError':
      return facts.statusCode === 401 ? 401 : 403;
    case 'ModelNotFoundError':
      return 404;
    case 'ThrottlingError':
      return 429;
    case 'ServiceError':
      return facts.statusCode === 503 ? 503 : 502;
    case 'TimeoutError':
      return 504;
    case 'AbortError':
      return 503;
    case 'ConnectionError':
    case 'StreamInterruptedError':
      return 502;
    default:
      // RetryError seen only through an event's fields: fall back on the upstream status it carried.
      if (facts.statusCode === 429) return 429;
      return facts.retryable ? 503 : 502;
  }
}

/** The 4xx/5xx answer for a failure that happened before any byte of the stream was sent. */
export function failureToHttp(facts: FailureFacts): HttpError {
  const status = statusFor(facts);
  const extra: { field?: string; fix?: string; retryable: boolean; retryAfterSeconds?: number } = {
    retryable: facts.retryable,
  };
  // A used-up service quota of the account (ServiceQuotaExceededException) is throttling that waiting will not end.
  const quotaUsedUp = facts.type === 'ThrottlingError' && !facts.retryable;
  const fix = quotaUsedUp ? QUOTA_FIX : FIXES[facts.type];
  if (fix !== undefined) extra.fix = fix;
  if (facts.code === 'UnknownModelFamily' || /model (family|identifier|id)\b/i.test(facts.message)) {
    if (status === 400 || status === 404) extra.field = 'model';
  }
  if ((status === 429 || status === 503) && !quotaUsedUp) {
    extra.retryAfterSeconds = Math.max(1, Math.ceil((facts.retryAfterMs ?? 1000) / 1000));
  }
  return new HttpError(status, facts.type, facts.message, extra);
}

/** Any thrown value to an HttpError; unknown errors never leak their message. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (BedrockInferenceError.isInstance(error)) return failureToHttp(factsOf(error));
  return new HttpError(500, 'internal_error', 'The server failed to handle this request; the details are in its logs.');
}

/** The JSON of a typed `error` event for failures after streaming began (never a stack). */
export function errorEventData(error: unknown, partialText: string): string {
  if (BedrockInferenceError.isInstance(error)) {
    const facts = factsOf(error);
    return JSON.stringify({ type: facts.type, message: error.message, retryable: error.retryable, partialText });
  }
  return JSON.stringify({
    type: 'InternalError',
    message: 'The server failed while streaming; the details are in its logs.',
    retryable: false,
    partialText,
  });
}
