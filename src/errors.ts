/**
 * One error hierarchy for everything that can go wrong talking to Bedrock. Classes are named after
 * what the caller must do; every instance says whether a retry may help, which request it was, what
 * caused it, and (when text had already arrived) the partial answer, which is never lost.
 */

const MARKER = Symbol.for('aws-bedrock-inference.error');

export interface BedrockInferenceErrorOptions {
  retryable?: boolean;
  requestId?: string | undefined;
  cause?: unknown;
  partialText?: string | undefined;
  /** HTTP status of a pre-stream error, when there was one. */
  statusCode?: number | undefined;
  /** The Bedrock or SDK error name this was classified from (`ThrottlingException`, `ECONNRESET`...). */
  code?: string | undefined;
  /** Server-suggested wait before retrying, in ms (from Retry-After). */
  retryAfterMs?: number | undefined;
}

/** A tool call whose input was still streaming when the stream broke: what had arrived of it. */
export interface PartialToolCall {
  id: string;
  name: string;
  /** The raw input fragments received, in order (joined they are a prefix of the call's JSON input). */
  inputFragments: string[];
}

export class BedrockInferenceError extends Error {
  readonly [MARKER] = true;
  override readonly name: string = 'BedrockInferenceError';
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** Text generated before the failure; empty when none had arrived. */
  partialText: string;
  /** Set when the failure fell inside a tool call's input: the call and the fragments received. */
  partialToolCall: PartialToolCall | undefined;

  constructor(message: string, options: BedrockInferenceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
    this.requestId = options.requestId;
    this.statusCode = options.statusCode;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
    this.partialText = options.partialText ?? '';
    this.partialToolCall = undefined;
  }

  /** Works across copies of this package (a Symbol.for marker, not instanceof). */
  static isInstance(value: unknown): value is BedrockInferenceError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * A tool call's streamed input did not parse as JSON. Not retried (the model wrote it): `inputFragments`
 * holds the raw fragments as they arrived and `inputText` their join, for logging or a repair of your own.
 */
export class ToolInputError extends BedrockInferenceError {
  override readonly name = 'ToolInputError';
  readonly toolCallId: string;
  readonly toolName: string;
  readonly inputFragments: readonly string[];
  readonly inputText: string;

  constructor(
    call: { id: string; name: string; inputFragments: readonly string[] },
    options: BedrockInferenceErrorOptions = {},
  ) {
    const inputText = call.inputFragments.join('');
    const shown = inputText.length > 200 ? `${inputText.slice(0, 200)}…` : inputText;
    super(
      `The model's input for tool call ${call.name} (${call.id}) is not valid JSON: ${JSON.stringify(shown)}. ` +
        'The raw fragments are in error.inputFragments; retry the request or ask the model again.',
      { code: 'InvalidToolInput', ...options },
    );
    this.toolCallId = call.id;
    this.toolName = call.name;
    this.inputFragments = call.inputFragments;
    this.inputText = inputText;
    this.partialToolCall = { id: call.id, name: call.name, inputFragments: [...call.inputFragments] };
  }
}

/** Too many requests or tokens: wait and back off. */
export class ThrottlingError extends BedrockInferenceError {
  override readonly name = 'ThrottlingError';
}

/** The request is wrong (body, parameters, model choice): fix it; retrying will not help. */
export class ValidationError extends BedrockInferenceError {
  override readonly name = 'ValidationError';
}

/** Bedrock or the model failed on its side: retry later. */
export class ServiceError extends BedrockInferenceError {
  override readonly name = 'ServiceError';
}

/** The stream broke after text arrived; `partialText` holds it and the answer can be resumed. */
export class StreamInterruptedError extends BedrockInferenceError {
  override readonly name = 'StreamInterruptedError';
}

/** The network failed (reset, refused, HTTP/2 error) before or during the stream. */
export class ConnectionError extends BedrockInferenceError {
  override readonly name = 'ConnectionError';
}

/** The caller cancelled (signal, abort(), break). Its own outcome: never retried. */
export class AbortError extends BedrockInferenceError {
  override readonly name = 'AbortError';
}

/** A first-chunk, between-chunk or total timeout fired; the upstream request was closed. */
export class TimeoutError extends BedrockInferenceError {
  override readonly name = 'TimeoutError';
  readonly timeout: 'firstChunk' | 'betweenChunks' | 'total';

  constructor(
    timeout: 'firstChunk' | 'betweenChunks' | 'total',
    message: string,
    options: BedrockInferenceErrorOptions = {},
  ) {
    super(message, options);
    this.timeout = timeout;
  }
}

/** The credentials may not call this model: grant access or change credentials. */
export class AccessDeniedError extends BedrockInferenceError {
  override readonly name = 'AccessDeniedError';
}

/** No such model, profile or ARN in this region: check the id. */
export class ModelNotFoundError extends BedrockInferenceError {
  override readonly name = 'ModelNotFoundError';
}

/** Every retry failed; `errors` holds each attempt's error, `lastError` the final one. */
export class RetryError extends BedrockInferenceError {
  override readonly name = 'RetryError';
  readonly errors: readonly BedrockInferenceError[];
  readonly lastError: BedrockInferenceError;

  constructor(message: string, errors: readonly BedrockInferenceError[], lastError: BedrockInferenceError) {
    super(message, {
      retryable: lastError.retryable,
      requestId: lastError.requestId,
      cause: lastError,
      partialText: lastError.partialText,
      statusCode: lastError.statusCode,
      code: lastError.code,
    });
    this.errors = errors;
    this.lastError = lastError;
  }
}
