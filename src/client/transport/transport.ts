/**
 * How a call reaches Bedrock: always through the AWS SDK (credentials, signing, endpoints, typed errors
 * for non-2xx responses), in one of two ways. The SDK client the library builds for itself sends over
 * its own HTTP/2 handler with cached middleware (own-client-transport.ts); a client the caller passes
 * in is used as it is, and only a successful event-stream body is taken from it (given-client-transport.ts).
 * Either way the streaming path then reads that body raw with our own decoder.
 */
import type {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { Readable } from 'node:stream';
import type { AttemptAbort } from '../abort-state.js';
import { UnexpectedResponseError } from '../event-stream/unexpected-response-error.js';

export type StreamCommand = InvokeModelWithResponseStreamCommand | ConverseStreamCommand;
export type UnaryCommand = InvokeModelCommand | ConverseCommand;

/** A 2xx event-stream response, its body not read yet. */
export interface RawStream {
  /** An IncomingMessage (HTTP/1.1) or ClientHttp2Stream (HTTP/2). Read it to the end or destroy it. */
  body: Readable;
  requestId: string | undefined;
}

export interface UnaryResponse<Output> {
  output: Output;
  /** The response headers (InvokeModel reports usage only there). */
  headers: Record<string, string | undefined> | undefined;
}

export interface BedrockTransport {
  /**
   * Sends a streaming command; resolves once a 2xx event-stream response arrived. An abort of the
   * attempt cancels the request until then; the body's reader follows it from there on.
   */
  openStream(command: StreamCommand, abort: AttemptAbort): Promise<RawStream>;
  send<Output>(command: UnaryCommand, abort: AttemptAbort): Promise<UnaryResponse<Output>>;
  /** Closes the connections when the transport owns its SDK client. */
  destroy(): void;
}

export function requestIdOf(headers: Record<string, string | undefined>): string | undefined {
  return headers['x-amzn-requestid'] ?? headers['x-amzn-request-id'] ?? headers['x-amz-request-id'];
}

/**
 * A 2xx body that is not an event stream (an unencoded ARN reaching Bedrock, a rewriting proxy) becomes
 * an UnexpectedResponseError carrying the start of the body; the request is then closed.
 */
export async function checkEventStream(
  statusCode: number,
  headers: Record<string, string | undefined>,
  body: Readable,
): Promise<void> {
  const contentType = headers['content-type'] ?? '';
  if (contentType === '' || contentType.includes('eventstream')) return;
  throw new UnexpectedResponseError(statusCode, contentType, await readStart(body), requestIdOf(headers));
}

/** The first few KB of a body (then the request is closed). */
async function readStart(body: Readable): Promise<string> {
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const part of body) {
      parts.push(part as Uint8Array);
      length += (part as Uint8Array).length;
      if (length >= 4096) break;
    }
  } catch {
    // What arrived is enough to report.
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts).toString('utf8', 0, Math.min(length, 4096));
}
