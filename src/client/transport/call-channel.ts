/**
 * The channel between one call and our HTTP handler, through the SDK's middleware stack. Our own SDK
 * client caches its resolved middleware (`cacheMiddleware`), which the SDK only does for `send(command)`
 * without per-send options, so the call's cancellation cannot travel as `{ abortSignal }`: it rides on
 * the command input under a symbol (the SDK's serializer reads only the operation's members) and this
 * middleware hands it to the HTTP request. The handler follows the attempt's abort state directly (no
 * AbortSignal, no listener). For a streaming call the handler takes a 2xx body itself and
 * throws BODY_TAKEN, which the middleware turns into the output: the SDK's deserializer, which would
 * build an event-stream reader of its own that we never use, does not run.
 */
import type {
  DeserializeHandlerArguments,
  DeserializeMiddleware,
  HttpResponse,
  MetadataBearer,
  ResponseMetadata,
} from '@smithy/types';
import type { Readable } from 'node:stream';
import type { AttemptAbort } from '../abort-state.js';

export const CALL_CHANNEL = Symbol.for('aws-bedrock-inference.callChannel');

/** Thrown by the handler once it took a streaming body. Not an Error: nothing to capture a stack for. */
export const BODY_TAKEN: unknown = Object.freeze({ bodyTaken: true });

export const CALL_CHANNEL_MIDDLEWARE_NAME = 'awsBedrockInferenceCallChannel';

export class CallChannel {
  /** Set by the handler: the response's status and headers (a unary call reads usage from them). */
  statusCode = 0;
  headers: Record<string, string> | undefined;
  /** Set by the handler for a streaming call's 2xx response. */
  body: Readable | undefined;
  /**
   * A response that already arrived, for the handler to answer with instead of sending the request: a
   * request sent outside the SDK has its error response deserialized by the SDK this way.
   */
  replay: HttpResponse | undefined;

  constructor(
    readonly abort: AttemptAbort,
    /** A streaming call: the handler keeps a 2xx body for us instead of giving it to the SDK. */
    readonly takesBody: boolean,
  ) {}
}

type Tagged = { [CALL_CHANNEL]?: CallChannel };

export function channelOf(carrier: unknown): CallChannel | undefined {
  return (carrier as Tagged)[CALL_CHANNEL];
}

/** Puts the channel on a command input. */
export function withChannel<T extends object>(input: T, channel: CallChannel): T {
  (input as Tagged)[CALL_CHANNEL] = channel;
  return input;
}

/** At the deserialize step, high priority: outside the SDK's deserializer, inside signing and retries. */
export const callChannelMiddleware: DeserializeMiddleware<object, MetadataBearer> =
  (next) => async (args: DeserializeHandlerArguments<object>) => {
    const channel = channelOf(args.input);
    if (channel === undefined) return next(args);
    (args.request as Tagged)[CALL_CHANNEL] = channel;
    try {
      return await next(args);
    } catch (error) {
      if (error !== BODY_TAKEN) throw error;
      const headers = channel.headers ?? {};
      // The signer reads the response's Date header to correct clock skew; the retry layer adds to $metadata.
      const response: HttpResponse = { statusCode: channel.statusCode, headers, body: undefined };
      const $metadata: ResponseMetadata = { httpStatusCode: channel.statusCode };
      const requestId = headers['x-amzn-requestid'];
      if (requestId !== undefined) $metadata.requestId = requestId;
      return { response, output: { $metadata } };
    }
  };
