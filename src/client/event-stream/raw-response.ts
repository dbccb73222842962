/**
 * Sends InvokeModelWithResponseStream / ConverseStream through the AWS SDK (credentials, signing, endpoint,
 * retries before the response, typed errors for non-2xx) but reads a successful event-stream body raw with
 * our own decoder. A middleware inside the SDK's deserializer takes the 2xx body and leaves the SDK an empty
 * one, so the SDK's event-stream unmarshaller never runs on the hot path.
 */
import type {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { Readable } from 'node:stream';
import { BodyReads } from './body-reads.js';
import { decodeEventStreamBatches } from './decoder.js';
import type { EventStreamMessage } from './decoder.js';
import { UnexpectedResponseError } from './unexpected-response-error.js';

export interface RawEventStreamResponse {
  requestId: string | undefined;
  /** The body's messages. Iterate it to the end, or `return()` it, so the connection is released. */
  messages: AsyncGenerator<EventStreamMessage>;
  /**
   * The same messages, one array per socket read (reused between reads): the hot path awaits once per
   * read. Iterate either this or `messages`, not both.
   */
  batches: AsyncGenerator<readonly EventStreamMessage[]>;
}

/** What the HTTP handlers give us: an IncomingMessage (HTTP/1.1) or a ClientHttp2Stream (HTTP/2). */
interface RawBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): void;
  readonly destroyed?: boolean;
}

interface RawHttpResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

const MIDDLEWARE_NAME = 'awsBedrockInferenceRawEventStream';

/** One shared empty body for the SDK's unused event-stream output (a Readable per stream costs ~2 KB). */
const EMPTY_BODY: AsyncIterable<Uint8Array> = {
  async *[Symbol.asyncIterator]() {},
};

/**
 * `isEventStream: false`: the SDK's HTTP/2 handler isolates event streams on a connection of their own
 * (needed for bidirectional streams). We only read a response body, so the request may share a pooled
 * connection when the handler allows concurrent streams (ours does, see sdk-client.ts).
 */
const SEND_OPTIONS = (abortSignal: AbortSignal) =>
  ({ abortSignal, isEventStream: false }) as { abortSignal: AbortSignal };

function isRawBody(body: unknown): body is RawBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as RawBody).destroy === 'function' &&
    typeof (body as Partial<RawBody>)[Symbol.asyncIterator] === 'function'
  );
}

function requestIdOf(headers: Record<string, string | undefined>): string | undefined {
  return headers['x-amzn-requestid'] ?? headers['x-amzn-request-id'] ?? headers['x-amz-request-id'];
}

/** The error thrown when the caller's signal fires mid-stream; classifyError maps it to AbortError. */
function abortError(signal: AbortSignal, cause?: unknown): Error {
  const error = new Error('The request was aborted by the caller while the response was streaming.', {
    cause: cause ?? signal.reason,
  });
  error.name = 'AbortError';
  return error;
}

export async function sendEventStreamCommand(
  client: BedrockRuntimeClient,
  command: InvokeModelWithResponseStreamCommand | ConverseStreamCommand,
  signal: AbortSignal,
): Promise<RawEventStreamResponse> {
  let body: RawBody | undefined;
  let requestId: string | undefined;
  let status = 0;
  let contentType = '';

  const capture: DeserializeMiddleware<object, object> = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as RawHttpResponse;
    if (response.statusCode >= 200 && response.statusCode < 300 && isRawBody(response.body)) {
      body = response.body;
      requestId = requestIdOf(response.headers);
      status = response.statusCode;
      contentType = response.headers['content-type'] ?? '';
      // The SDK's deserializer now builds its (never iterated) event stream over an empty body.
      response.body = EMPTY_BODY;
      // The SDK's handler keeps the request in closures for as long as the stream is open: drop its
      // signed headers and body (the prompt, possibly large), which are sent and no longer needed.
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      request.headers = {};
      request.body = undefined;
    }
    return result;
  };
  // `override` replaces the capture of an earlier send of the same command (a retry by the caller).
  const stack = command.middlewareStack as unknown as MiddlewareStack<object, object>;
  stack.add(capture, {
    step: 'deserialize',
    priority: 'low',
    name: MIDDLEWARE_NAME,
    override: true,
  });

  // Non-2xx responses pass through untouched: the SDK throws its typed exception (with $metadata).
  let output;
  try {
    output = await client.send(command as InvokeModelWithResponseStreamCommand, SEND_OPTIONS(signal));
  } catch (error) {
    // A failure after the body was taken (a later middleware threw) must not leave the request open.
    (body as RawBody | undefined)?.destroy();
    throw error;
  }
  if (body === undefined) {
    throw new Error('The SDK returned a streaming response without a readable body; no raw stream to decode.');
  }
  const raw = body;
  if (contentType !== '' && !contentType.includes('eventstream')) {
    throw new UnexpectedResponseError(status, contentType, await readStart(raw), requestId);
  }
  // Closing the raw body is what actually ends the request once the SDK has handed it over.
  const onAbort = new DestroyOnAbort(raw, signal);
  if (signal.aborted) onAbort.handleEvent();
  else signal.addEventListener('abort', onAbort, { once: true });

  return new RawResponse(requestId ?? output.$metadata.requestId, readBatches(raw, signal, onAbort));
}

/** The abort listener of an open body (an EventTarget handleEvent object: no closure per stream). */
class DestroyOnAbort {
  constructor(
    readonly body: RawBody,
    readonly signal: AbortSignal,
  ) {}

  handleEvent(): void {
    this.body.destroy(abortError(this.signal));
  }
}

class RawResponse implements RawEventStreamResponse {
  #messages: AsyncGenerator<EventStreamMessage> | undefined;

  constructor(
    readonly requestId: string | undefined,
    readonly batches: AsyncGenerator<readonly EventStreamMessage[]>,
  ) {}

  /** Built on first use: the client's own path reads `batches`, and an unused generator costs memory. */
  get messages(): AsyncGenerator<EventStreamMessage> {
    return (this.#messages ??= eachMessage(this.batches));
  }
}

/** The first few KB of a body that is not an event stream (then the request is closed). */
async function readStart(body: RawBody): Promise<string> {
  const parts: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const part of body) {
      parts.push(part);
      length += part.length;
      if (length >= 4096) break;
    }
  } catch {
    // What arrived is enough to report.
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts).toString('utf8', 0, Math.min(length, 4096));
}

async function* eachMessage(
  batches: AsyncGenerator<readonly EventStreamMessage[]>,
): AsyncGenerator<EventStreamMessage> {
  for await (const batch of batches) yield* batch;
}

/**
 * The body's batches. At the end the abort listener goes; a body that failed or was left early is
 * destroyed (closing the request), one that ended cleanly closes by itself.
 */
function readBatches(
  body: RawBody,
  signal: AbortSignal,
  onAbort: DestroyOnAbort,
): AsyncGenerator<readonly EventStreamMessage[]> {
  const reads = isNodeReadable(body) ? new BodyReads(body) : body;
  return decodeEventStreamBatches(reads, (error, ended) => {
    signal.removeEventListener('abort', onAbort);
    if (!ended && body.destroyed !== true) body.destroy();
    if (error !== undefined) return signal.aborted ? abortError(signal, error) : error;
    return undefined;
  });
}

function isNodeReadable(body: RawBody): body is RawBody & Readable {
  const candidate = body as Partial<Readable>;
  return typeof candidate.read === 'function' && typeof candidate.on === 'function';
}
