/**
 * The SDK client the library builds for itself (region, endpoint, credentials or profile through the
 * SDK's normal chain), tuned for streaming: our HTTP/2 handler on pooled sessions, the resolved
 * middleware cached per command (the SDK's `cacheMiddleware`), one SigV4 signer kept instead of one
 * per request (cached-signer.ts), and the call channel that carries each
 * call's cancellation and takes its streaming body (call-channel.ts). One attempt per send, without the
 * SDK's retry machinery (single-attempt-middleware.ts): we retry ourselves, phase-aware. Streaming
 * requests after the first are rebuilt from the SDK's first one and signed by its signer, without running
 * its pipeline again; their error answers still go through the SDK (stream-request-template.ts).
 */
import {
  BedrockRuntimeClient,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClientConfig,
} from '@aws-sdk/client-bedrock-runtime';
import type { HttpResponse, MetadataBearer } from '@smithy/types';
import type { AttemptAbort } from '../abort-state.js';
import type { BedrockStreamingClientOptions, ConnectionOptions } from '../types.js';
import type { PoolOptions } from './http2-session-pool.js';
import { cachedSigner } from './cached-signer.js';
import {
  BODY_TAKEN,
  CALL_CHANNEL_MIDDLEWARE_NAME,
  CallChannel,
  callChannelMiddleware,
  withChannel,
} from './call-channel.js';
import { asSingleAttemptError, RETRY_MIDDLEWARE_NAME, singleAttemptMiddleware } from './single-attempt-middleware.js';
import { StreamingHttpHandler } from './streaming-http-handler.js';
import type { StreamRequestTemplate } from './stream-request-template.js';
import {
  TEMPLATE_CAPTURE_MIDDLEWARE_NAME,
  templateCaptureMiddleware,
  type LeanStreamInput,
  type SigningConfig,
} from './stream-request-template.js';
import {
  checkEventStream,
  requestIdOf,
  type BedrockTransport,
  type RawStream,
  type StreamCommand,
  type UnaryCommand,
  type UnaryResponse,
} from './transport.js';

export function createOwnSdkClient(options: BedrockStreamingClientOptions): BedrockRuntimeClient {
  const config: BedrockRuntimeClientConfig = {
    maxAttempts: 1,
    cacheMiddleware: true,
    requestHandler: new StreamingHttpHandler(handlerOptions(options.connection)),
  };
  if (options.region !== undefined) config.region = options.region;
  else if (options.endpoint !== undefined) config.region = regionOrDefault(options.profile);
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.profile !== undefined) config.profile = options.profile;
  if (options.token !== undefined) {
    config.token = { token: options.token };
    config.authSchemePreference = ['httpBearerAuth'];
  }
  // The signer reads the client's resolved config (credential chain, region) on first use.
  const adaptive = usesAdaptiveRetry(options);
  if (adaptive) config.retryMode = 'adaptive';
  const client: BedrockRuntimeClient = new BedrockRuntimeClient({
    ...config,
    signer: cachedSigner(() => client.config),
  });
  // In adaptive mode the SDK's retry step stays (one attempt): its rate limiter paces every request.
  if (!adaptive) {
    client.middlewareStack.remove(RETRY_MIDDLEWARE_NAME);
    client.middlewareStack.add(singleAttemptMiddleware as never, {
      step: 'finalizeRequest',
      priority: 'high',
      name: RETRY_MIDDLEWARE_NAME,
      tags: ['RETRY'],
    });
  }
  client.middlewareStack.add(callChannelMiddleware as never, {
    step: 'deserialize',
    priority: 'high',
    name: CALL_CHANNEL_MIDDLEWARE_NAME,
  });
  return client;
}

/** `retry.mode`, else AWS_RETRY_MODE, is `adaptive`. */
export function usesAdaptiveRetry(options: BedrockStreamingClientOptions): boolean {
  return (options.retry?.mode ?? process.env.AWS_RETRY_MODE) === 'adaptive';
}

/**
 * The region the SDK's chain resolves (AWS_REGION, the profile's region in ~/.aws/config, ...), as the
 * SDK would sign for it; us-east-1 only when nothing is configured (a custom endpoint such as the
 * emulator still needs a region to sign with).
 */
function regionOrDefault(profile: string | undefined): () => Promise<string> {
  let resolved: Promise<string> | undefined;
  return () =>
    (resolved ??= (async () => {
      const probe = new BedrockRuntimeClient(profile === undefined ? {} : { profile });
      try {
        return await probe.config.region();
      } catch {
        return 'us-east-1';
      } finally {
        probe.destroy();
      }
    })());
}

function handlerOptions(connection: ConnectionOptions | undefined): Partial<PoolOptions> {
  const options: Partial<PoolOptions> = {};
  if (connection === undefined) return options;
  if (connection.pingAfterIdleMs !== undefined) options.pingAfterIdleMs = connection.pingAfterIdleMs;
  if (connection.pingTimeoutMs !== undefined) options.pingTimeoutMs = connection.pingTimeoutMs;
  if (connection.idleTimeoutMs !== undefined) options.idleTimeoutMs = connection.idleTimeoutMs;
  if (connection.tls !== undefined) options.tls = connection.tls;
  if (connection.proxy !== undefined && connection.proxy !== false) options.proxy = connection.proxy;
  return options;
}

export class OwnClientTransport implements BedrockTransport {
  readonly #handler: StreamingHttpHandler;
  /** The SDK's first streaming request, recorded; later ones are rebuilt from it (stream-request-template.ts). */
  #template: StreamRequestTemplate | undefined;
  /**
   * Every request goes through the SDK's full pipeline, uncached: middleware was added to (or removed
   * from) the client's stack after construction, which the cache and the template would skip, or the
   * SDK's adaptive rate limiter must see each request.
   */
  #fullPipeline = false;

  /**
   * @param rebuildRequests false keeps every request in the SDK's pipeline (adaptive retry mode: its rate
   * limiter must see each request).
   */
  constructor(
    readonly sdk: BedrockRuntimeClient,
    rebuildRequests = true,
  ) {
    this.#handler = sdk.config.requestHandler as StreamingHttpHandler;
    this.#fullPipeline = !rebuildRequests;
    sdk.middlewareStack.addRelativeTo(
      templateCaptureMiddleware(
        () => sdk.config as unknown as SigningConfig,
        () => this.#template !== undefined,
        (template) => (this.#template = template),
      ) as never,
      { relation: 'before', toMiddleware: RETRY_MIDDLEWARE_NAME, name: TEMPLATE_CAPTURE_MIDDLEWARE_NAME },
    );
    watchStack(sdk, () => {
      this.#fullPipeline = true;
      this.#template = undefined;
    });
  }

  openStream(command: StreamCommand, abort: AttemptAbort): Promise<RawStream> {
    const template = this.#template;
    if (template !== undefined && !this.#fullPipeline && command instanceof InvokeModelWithResponseStreamCommand) {
      const input = command.input;
      if (template.fits(input)) return this.#openFromTemplate(template, input, command, abort);
    }
    return this.#openThroughSdk(command, abort);
  }

  async #openThroughSdk(command: StreamCommand, abort: AttemptAbort): Promise<RawStream> {
    const channel = new CallChannel(abort, true);
    withChannel(command.input, channel);
    const output = await this.#send(command);
    const body = channel.body;
    const headers = channel.headers ?? {};
    if (body === undefined) {
      throw new Error('The SDK returned a streaming response without a readable body; no raw stream to decode.');
    }
    await checkEventStream(channel.statusCode, headers, body);
    return { body, requestId: requestIdOf(headers) ?? output.$metadata.requestId };
  }

  /**
   * Signed from the record and handed to our handler. A 2xx event stream is taken as the SDK path takes
   * it; any other response is replayed through the SDK (nothing is sent twice) for its typed error.
   */
  async #openFromTemplate(
    template: StreamRequestTemplate,
    input: LeanStreamInput,
    command: InvokeModelWithResponseStreamCommand,
    abort: AttemptAbort,
  ): Promise<RawStream> {
    const channel = new CallChannel(abort, true);
    let answered: { response: HttpResponse } | undefined;
    try {
      answered = await this.#handler.handle(withChannel(await template.sign(input), channel));
    } catch (error) {
      if (error !== BODY_TAKEN) throw asSingleAttemptError(error);
    }
    if (answered !== undefined) return this.#replay(command, abort, answered.response);
    const body = channel.body!;
    const headers = channel.headers ?? {};
    await checkEventStream(channel.statusCode, headers, body);
    return { body, requestId: requestIdOf(headers) };
  }

  /** The SDK deserializes a response that arrived outside it: it throws the operation's typed error. */
  async #replay(command: StreamCommand, abort: AttemptAbort, response: HttpResponse): Promise<never> {
    const channel = new CallChannel(abort, true);
    channel.replay = response;
    withChannel(command.input, channel);
    await this.#send(command);
    throw new Error(`Bedrock answered HTTP ${response.statusCode} but the SDK reported no error for it.`);
  }

  async send<Output>(command: UnaryCommand, abort: AttemptAbort): Promise<UnaryResponse<Output>> {
    const channel = new CallChannel(abort, false);
    withChannel(command.input, channel);
    const output = await this.#send(command);
    return { output: output as Output, headers: channel.headers };
  }

  destroy(): void {
    this.sdk.destroy();
  }

  /**
   * Without per-send options, so the SDK uses its cached middleware (the cancellation is on the channel);
   * with options (which switch the cache off) once the stack changed, so the caller's middleware runs.
   */
  #send(command: StreamCommand | UnaryCommand): Promise<MetadataBearer> {
    if (this.#fullPipeline) return this.sdk.send(command as never, {}) as Promise<MetadataBearer>;
    return this.sdk.send(command as never) as Promise<MetadataBearer>;
  }
}

/** Calls `onChange` when middleware is added to or removed from the client's stack from now on. */
function watchStack(sdk: BedrockRuntimeClient, onChange: () => void): void {
  const stack = sdk.middlewareStack as unknown as Record<string, unknown>;
  for (const method of ['add', 'addRelativeTo', 'remove', 'removeByTag']) {
    const original = stack[method] as (...args: unknown[]) => unknown;
    stack[method] = (...args: unknown[]) => {
      onChange();
      return original(...args);
    };
  }
}
