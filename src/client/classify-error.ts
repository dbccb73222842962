/**
 * Maps everything that can end a Bedrock call into the one error hierarchy (src/errors.ts): SDK exceptions
 * (by name, with $metadata), mid-stream exception and error frames, network and HTTP/2 failures, aborts, and
 * (via event-stream/wire-failure.ts) framing errors, non-event-stream bodies and malformed chunks. Messages
 * say what happened and what to do. Mid-stream failures keep the partial text; whether they are retryable
 * stays the classification's (the client decides what to do).
 */
import { AbortError, BedrockInferenceError, ConnectionError, ServiceError } from '../errors.js';
import type { BedrockInferenceErrorOptions } from '../errors.js';
import { NETWORK_CODES, refine, RULES, type Rule } from './error-rules.js';
import { classifyWireFailure } from './event-stream/wire-failure.js';
import type { EventStreamMessage } from './event-stream/decoder.js';

export interface ErrorContext {
  modelId: string;
  partialText: string;
  requestId?: string | undefined;
  phase: 'request' | 'stream';
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
  $retryable?: unknown;
  originalStatusCode?: unknown;
}

function asErrorLike(error: unknown): ErrorLike {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : {};
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** `Retry-After` in seconds or as an HTTP date, in ms. */
function retryAfterMs(error: ErrorLike): number | undefined {
  const raw = error.$response?.headers?.['retry-after'] ?? error.$response?.headers?.['Retry-After'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function context(ctx: ErrorContext): string {
  const partial =
    ctx.phase === 'stream' && ctx.partialText.length > 0
      ? ` after ${ctx.partialText.length} characters of the answer had arrived (kept in error.partialText)`
      : ctx.phase === 'stream'
        ? ' while streaming'
        : '';
  return `model ${ctx.modelId}${partial}`;
}

function fromRule(
  rule: Rule,
  name: string,
  detail: string,
  ctx: ErrorContext,
  extra: BedrockInferenceErrorOptions,
): BedrockInferenceError {
  const status = extra.statusCode === undefined ? '' : `, HTTP ${extra.statusCode}`;
  const said = detail.length > 0 ? ` Bedrock said: "${detail}".` : '';
  return new rule.type(`${rule.what} (${name}${status}; ${context(ctx)}).${said} ${rule.todo}`, {
    retryable: rule.retryable,
    requestId: ctx.requestId,
    partialText: ctx.partialText,
    code: name,
    ...extra,
  });
}

/**
 * An error code of the network or HTTP/2 layers anywhere in the cause chain, or undefined. An OS code
 * (ECONNREFUSED) deeper in the chain wins over the HTTP/2 wrapper (ERR_HTTP2_STREAM_CANCEL) that carries it.
 */
function networkCode(error: unknown): string | undefined {
  let wrapper: string | undefined;
  for (let current = error, depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const like = current as ErrorLike;
    const code = textOf(like.code);
    const name = textOf(like.name);
    const message = textOf(like.message);
    if (NETWORK_CODES.has(code)) return code;
    if (code.startsWith('ERR_HTTP2_') || code.startsWith('NGHTTP2_')) wrapper ??= code;
    else if (name === 'NghttpError' || message.includes('NGHTTP2')) wrapper ??= code || 'NGHTTP2_ERROR';
    else if (message.startsWith('HTTP/2 stream is abnormally aborted')) wrapper ??= 'ERR_HTTP2_STREAM_ERROR';
    else if (name === 'TimeoutError' && message.includes('timed out')) wrapper ??= 'ETIMEDOUT'; // SDK socket timeout
    current = like.cause;
  }
  return wrapper;
}

/** A TLS certificate verification failure anywhere in the cause chain (a retry cannot fix it). */
function certificateCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = textOf((current as ErrorLike).code);
    if (TLS_CERTIFICATE_CODE.test(code)) return code;
    current = (current as ErrorLike).cause;
  }
  return undefined;
}

const TLS_CERTIFICATE_CODE =
  /^(?:DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

function isAbort(error: ErrorLike): boolean {
  return error.name === 'AbortError' || error.code === 'ABORT_ERR';
}

export function classifyError(error: unknown, ctx: ErrorContext): BedrockInferenceError {
  if (BedrockInferenceError.isInstance(error)) {
    if (error.partialText.length === 0) error.partialText = ctx.partialText;
    return error;
  }
  const like = asErrorLike(error);
  const name = textOf(like.name) || 'Error';
  const detail = textOf(like.message);
  const base = { requestId: like.$metadata?.requestId ?? ctx.requestId, partialText: ctx.partialText, cause: error };

  if (isAbort(like)) {
    return new AbortError(`The request to ${context(ctx)} was aborted by the caller.`, {
      ...base,
      retryable: false,
      code: 'AbortError',
    });
  }
  const wire = classifyWireFailure(error, context(ctx), base);
  if (wire !== undefined) return wire;

  let rule = Object.hasOwn(RULES, name) ? RULES[name] : undefined;
  if (rule !== undefined) rule = refine(rule, name, detail, like.originalStatusCode);
  const statusCode = like.$metadata?.httpStatusCode;
  const extra: BedrockInferenceErrorOptions = {
    cause: error,
    requestId: base.requestId,
    statusCode,
    retryAfterMs: retryAfterMs(like),
  };
  if (rule !== undefined) return fromRule(rule, name, detail, ctx, extra);

  const tlsCode = certificateCode(error);
  if (tlsCode !== undefined) {
    return new ConnectionError(
      `The endpoint's TLS certificate is not trusted (${tlsCode}; ${context(ctx)}): ${detail || name}. For a ` +
        'private CA or a TLS-inspecting proxy pass its certificate as connection.tls.ca (or NODE_EXTRA_CA_CERTS).',
      { ...base, retryable: false, code: tlsCode },
    );
  }
  const code = networkCode(error);
  if (code !== undefined) {
    return new ConnectionError(
      `The connection to Bedrock failed (${code}; ${context(ctx)}): ${detail || name}. Check the network or ` +
        'endpoint and retry.',
      { ...base, retryable: true, code },
    );
  }
  if (textOf(like.code) === 'ENOTFOUND') {
    return new ConnectionError(
      `The Bedrock endpoint's host name does not resolve (ENOTFOUND; ${context(ctx)}). Check the region and endpoint.`,
      { ...base, retryable: false, code: 'ENOTFOUND' },
    );
  }
  if (statusCode !== undefined) return fromStatus(statusCode, name, detail, ctx, extra, like.$retryable !== undefined);
  return new BedrockInferenceError(`Unexpected error calling ${context(ctx)}: ${name}: ${detail}`, {
    ...base,
    retryable: false,
    code: name,
  });
}

/** An exception the SDK could not name (e.g. `Unknown`): classify by HTTP status. */
function fromStatus(
  status: number,
  name: string,
  detail: string,
  ctx: ErrorContext,
  extra: BedrockInferenceErrorOptions,
  retryableTrait: boolean,
): BedrockInferenceError {
  if (status === 429) return fromRule(RULES.ThrottlingException!, name, detail, ctx, extra);
  if (status === 403) return fromRule(RULES.AccessDeniedException!, name, detail, ctx, extra);
  if (status === 404) return fromRule(RULES.ResourceNotFoundException!, name, detail, ctx, extra);
  if (status >= 500 || retryableTrait) {
    return fromRule({ ...RULES.InternalServerException!, what: 'Bedrock failed' }, name, detail, ctx, extra);
  }
  return fromRule({ ...RULES.ValidationException!, what: 'Bedrock rejected the request' }, name, detail, ctx, extra);
}

function payloadMessage(payload: Uint8Array): { message: string; originalStatusCode: number | undefined } {
  const text = new TextDecoder().decode(payload);
  try {
    const body = JSON.parse(text) as { message?: unknown; Message?: unknown; originalStatusCode?: unknown };
    const message = textOf(body.message) || textOf(body.Message);
    const original = typeof body.originalStatusCode === 'number' ? body.originalStatusCode : undefined;
    return { message, originalStatusCode: original };
  } catch {
    return { message: text.slice(0, 500), originalStatusCode: undefined };
  }
}

/** A mid-stream `exception` frame (lowerCamel `:exception-type`) or unmodelled `error` frame. */
export function classifyStreamException(message: EventStreamMessage, ctx: ErrorContext): BedrockInferenceError {
  if (message.messageType === 'exception') {
    const member = message.exceptionType ?? 'unknownException';
    const name = member.charAt(0).toUpperCase() + member.slice(1);
    const { message: detail, originalStatusCode } = payloadMessage(message.payload);
    // The same error the SDK would have thrown from its iterator, kept as the cause.
    const cause = Object.assign(new Error(detail), { name, originalStatusCode });
    const known = Object.hasOwn(RULES, name) ? RULES[name]! : undefined;
    const rule =
      known === undefined
        ? { ...RULES.InternalServerException!, what: 'Bedrock sent an unknown stream exception' }
        : refine(known, name, detail, originalStatusCode);
    const original = originalStatusCode === undefined ? '' : ` (model status ${originalStatusCode})`;
    return fromRule(rule, name, detail + original, ctx, { cause, requestId: ctx.requestId });
  }
  if (message.messageType === 'error') {
    const code = message.errorCode ?? 'UnknownError';
    const detail = message.errorMessage ?? '';
    const cause = Object.assign(new Error(detail), { name: code });
    const rule = Object.hasOwn(RULES, code)
      ? RULES[code]!
      : { ...RULES.InternalServerException!, what: 'Bedrock ended the stream with an error' };
    return fromRule(rule, code, detail, ctx, { cause, requestId: ctx.requestId });
  }
  return new ServiceError(
    `Bedrock sent an unexpected stream message (type "${message.messageType}"; ${context(ctx)}). ` +
      'The response is not a Bedrock event stream; check the endpoint.',
    { retryable: false, requestId: ctx.requestId, partialText: ctx.partialText, code: 'UnexpectedMessageType' },
  );
}
