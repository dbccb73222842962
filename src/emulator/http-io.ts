/**
 * Small HTTP helpers shared by the emulator's routes: bounded body reading, JSON and Bedrock error
 * responses. Works for both the HTTP/1.1 and the HTTP/2 compatibility request/response objects.
 */
import { BedrockServiceError, errorTypeHeader } from './bedrock-error.js';
import type { EmulatorRequest, EmulatorResponse } from './transport.js';

/** Bedrock's limit on the `body` blob (bedrock-wire.md §4). */
export const MAX_BODY_BYTES = 25_000_000;

export function bodyTooLarge(limit: number): BedrockServiceError {
  return new BedrockServiceError(
    'ValidationException',
    `1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to ${limit}`,
  );
}

/** Reads the whole body, refusing more than `limit` bytes without buffering them. */
export function readBody(req: EmulatorRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(bodyTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > limit) {
        parts.length = 0;
        reject(bodyTooLarge(limit));
        req.resume();
        return;
      }
      parts.push(part);
    });
    req.once('end', () => resolve(Buffer.concat(parts)));
    req.once('error', reject);
  });
}

/** Parses a request body as JSON, answering as Bedrock does when it is not a JSON object. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') {
    throw new BedrockServiceError(
      'ValidationException',
      'Malformed input request: the request body is empty, please reformat your input and try again.',
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new BedrockServiceError(
      'ValidationException',
      `Malformed input request: the body is not valid JSON (${detail}), please reformat your input and try again.`,
    );
  }
}

export function sendJson(
  res: EmulatorResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | number> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendBedrockError(
  res: EmulatorResponse,
  error: BedrockServiceError,
  requestId: string,
  extraHeaders: Record<string, string | number> = {},
): void {
  sendJson(res, error.status, error.toBody(), {
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': errorTypeHeader(error.errorType),
    ...extraHeaders,
  });
}

/** `amz-sdk-request: attempt=2; max=3` -> 2 (1 when absent). */
export function sdkAttempt(req: EmulatorRequest): number {
  const header = req.headers['amz-sdk-request'];
  const match = typeof header === 'string' ? /attempt=(\d+)/.exec(header) : null;
  return match ? Number(match[1]) : 1;
}

export function headerValue(req: EmulatorRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
