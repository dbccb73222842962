/**
 * Our own SDK client sends each request once: the library retries by phase itself (retry.ts), and SDK
 * retries stacked under ours would multiply attempts. With `maxAttempts: 1` the SDK's retry middleware
 * still runs its whole machinery per request (a retry strategy and token, a UUID, error wrapping) to make
 * no retry. This takes its place, under its name (the signing middleware is placed relative to it), and
 * does what it does for a first and only attempt: the invocation id and attempt headers on the request,
 * the attempt count on the output or the error's $metadata.
 */
import { randomUUID } from 'node:crypto';
import type {
  FinalizeHandlerArguments,
  FinalizeRequestMiddleware,
  HttpRequest,
  MetadataBearer,
  ResponseMetadata,
} from '@smithy/types';

export const RETRY_MIDDLEWARE_NAME = 'retryMiddleware';

export const singleAttemptMiddleware: FinalizeRequestMiddleware<object, MetadataBearer> =
  (next) => async (args: FinalizeHandlerArguments<object>) => {
    const headers = (args.request as Partial<HttpRequest> | undefined)?.headers;
    if (headers !== undefined) {
      headers['amz-sdk-invocation-id'] = randomUUID();
      headers['amz-sdk-request'] = 'attempt=1; max=1';
    }
    try {
      const result = await next(args);
      result.output.$metadata.attempts = 1;
      result.output.$metadata.totalRetryDelay = 0;
      return result;
    } catch (error) {
      throw asSingleAttemptError(error);
    }
  };

/** As the SDK's retry middleware throws: an Error whose $metadata counts the one attempt. */
export function asSingleAttemptError(error: unknown): Error {
  const failure = asError(error);
  failure.$metadata ??= {};
  failure.$metadata.attempts = 1;
  failure.$metadata.totalRetryDelay = 0;
  return failure;
}

type SdkError = Error & { $metadata?: ResponseMetadata };

/** The SDK's own wrapping of a thrown non-Error (its asSdkError). */
function asError(error: unknown): SdkError {
  if (error instanceof Error) return error;
  if (error instanceof Object) return Object.assign(new Error(), error);
  if (typeof error === 'string') return new Error(error);
  return new Error(`AWS SDK error wrapper for ${String(error)}`);
}
