/**
 * A caller's own SDK client, used as it is (its handler, its middleware): each command is sent with the
 * attempt's signal as `abortSignal`. For a streaming command a middleware inside the SDK's deserializer
 * takes the 2xx body and leaves the SDK an empty one, so the SDK's event-stream reader never runs on
 * it; non-2xx responses pass through untouched and the SDK throws its typed exception.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { DeserializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';
import { Readable } from 'node:stream';
import type { AttemptAbort } from '../abort-state.js';
import {
  checkEventStream,
  requestIdOf,
  type BedrockTransport,
  type RawStream,
  type StreamCommand,
  type UnaryCommand,
  type UnaryResponse,
} from './transport.js';

interface RawHttpResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

const BODY_MIDDLEWARE = 'awsBedrockInferenceRawEventStream';
const HEADERS_MIDDLEWARE = 'awsBedrockInferenceHeaders';

/** One shared empty body for the SDK's unused event-stream output (a Readable per stream costs ~2 KB). */
const EMPTY_BODY: AsyncIterable<Uint8Array> = {
  async *[Symbol.asyncIterator]() {},
};

/**
 * `isEventStream: false`: the SDK's HTTP/2 handler isolates event streams on a connection of their own
 * (needed for bidirectional streams). We only read a response body, so the request may share a pooled
 * connection when the caller's handler allows concurrent streams.
 */
const sendOptions = (abortSignal: AbortSignal) =>
  ({ abortSignal, isEventStream: false }) as { abortSignal: AbortSignal };

function isReadable(body: unknown): body is Readable {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Readable).destroy === 'function' &&
    typeof (body as Readable).on === 'function' &&
    typeof (body as Readable).pause === 'function'
  );
}

function isWebStream(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof body === 'object' && body !== null && typeof (body as ReadableStream).getReader === 'function';
}

function stackOf(command: StreamCommand | UnaryCommand): MiddlewareStack<object, object> {
  return command.middlewareStack as unknown as MiddlewareStack<object, object>;
}

export class GivenClientTransport implements BedrockTransport {
  constructor(readonly sdk: BedrockRuntimeClient) {}

  async openStream(command: StreamCommand, abort: AttemptAbort): Promise<RawStream> {
    let taken: RawHttpResponse | undefined;
    const capture: DeserializeMiddleware<object, object> = (next) => async (args) => {
      const result = await next(args);
      const response = result.response as RawHttpResponse;
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      if (ok && (isReadable(response.body) || isWebStream(response.body))) {
        // A web ReadableStream (FetchHttpHandler) is read through a Node Readable over it.
        const body = isWebStream(response.body) ? Readable.fromWeb(response.body as never) : response.body;
        taken = { statusCode: response.statusCode, headers: response.headers, body };
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
    stackOf(command).add(capture, { step: 'deserialize', priority: 'low', name: BODY_MIDDLEWARE, override: true });

    let output: MetadataBearer;
    try {
      output = (await this.sdk.send(command as never, sendOptions(abort.signal))) as MetadataBearer;
    } catch (error) {
      // A failure after the body was taken (a later middleware threw) must not leave the request open.
      (taken?.body as Readable | undefined)?.destroy();
      throw error;
    }
    if (taken === undefined) {
      throw new Error('The SDK returned a streaming response without a readable body; no raw stream to decode.');
    }
    const body = taken.body as Readable;
    await checkEventStream(taken.statusCode, taken.headers, body);
    return { body, requestId: requestIdOf(taken.headers) ?? output.$metadata.requestId };
  }

  async send<Output>(command: UnaryCommand, abort: AttemptAbort): Promise<UnaryResponse<Output>> {
    // InvokeModel reports usage and latency only in response headers, which the SDK's output drops.
    let headers: Record<string, string | undefined> | undefined;
    const capture: DeserializeMiddleware<object, object> = (next) => async (args) => {
      const result = await next(args);
      headers = (result.response as RawHttpResponse).headers;
      return result;
    };
    stackOf(command).add(capture, { step: 'deserialize', priority: 'low', name: HEADERS_MIDDLEWARE, override: true });
    const output = (await this.sdk.send(command as never, { abortSignal: abort.signal })) as Output;
    return { output, headers };
  }

  /** The caller's client stays the caller's to destroy. */
  destroy(): void {}
}
