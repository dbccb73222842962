/**
 * BedrockStreamingClient: the library's entry point. It validates and resolves each request once
 * (model, family adapter, policies), then hands the call to the streaming or unary runner.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockInferenceError } from '../errors.js';
import { detectFamily, resolveAdapter } from '../models/registry.js';
import { checkNativeCachePoints } from '../models/cache-support.js';
import { checkNativeMedia } from '../models/media-support.js';
import { checkConverseTools, checkNativeTools } from '../models/tool-support.js';
import type { ModelAdapter } from '../models/types.js';
import { createRechunker } from './chunking.js';
import { BedrockInferenceStream } from './inference-stream.js';
import { estimateInputTokens, normalizeRequest, resolveModelId } from './request.js';
import { resolveResumePolicy } from './resume.js';
import { resolveRetryPolicy, type ResolvedRetryPolicy } from './retry.js';
import type { CallContext } from './call-context.js';
import { createTransport } from './transport/create-transport.js';
import type { BedrockTransport } from './transport/transport.js';
import { runStream } from './stream-run.js';
import { runTools, type RunToolsRequest, type ToolRun } from './tool-runner.js';
// Loaded for its effect: the per-stream classes keep their optimized code across idle times.
import './shape-anchors.js';
import { StreamState } from './stream-state.js';
import { CallScope, resolveTimeouts } from './timeouts.js';
import type {
  BedrockStreamingClientOptions,
  InferenceRequest,
  InferenceResult,
  InferenceStream,
  StreamCallbacks,
} from './types.js';
import { runUnary } from './unary-run.js';

export class BedrockStreamingClient {
  readonly #options: BedrockStreamingClientOptions;
  readonly #sdk: BedrockRuntimeClient;
  readonly #transport: BedrockTransport;
  readonly #retry: ResolvedRetryPolicy;

  constructor(options: BedrockStreamingClientOptions = {}) {
    this.#options = options;
    // Validate policies up front so a bad option fails at construction, not on the first call.
    this.#retry = resolveRetryPolicy(options.retry);
    resolveTimeouts(options.timeouts);
    createRechunker(options.chunking);
    const { sdk, transport } = createTransport(options);
    this.#sdk = sdk;
    this.#transport = transport;
  }

  /**
   * The underlying AWS SDK client (ours, or the one passed in the options). Ours caches its resolved
   * middleware (`cacheMiddleware`): to add middleware of your own, pass your own client instead.
   */
  get sdkClient(): BedrockRuntimeClient {
    return this.#sdk;
  }

  /**
   * Streams an answer. Throws ValidationError at once for a bad request; everything after that is
   * reported through the stream (its iterator, events() and finalResult()).
   */
  invokeStream(request: InferenceRequest): InferenceStream {
    const context = this.#context(request);
    return new BedrockInferenceStream(context.scope, context.state, () => runStream(context));
  }

  /**
   * Streams an answer into callbacks. Resolves with the result; when `onError` is given, errors go
   * there and the promise resolves with undefined instead of rejecting.
   */
  async invokeStreamWithCallbacks(request: InferenceRequest & StreamCallbacks): Promise<InferenceResult | undefined> {
    const { onContent, onReasoning, onEvent, onToolCall, onComplete, onError } = request;
    try {
      const stream = this.invokeStream(request);
      let text = '';
      let reasoning = '';
      for await (const event of stream.events()) {
        onEvent?.(event);
        if (event.type === 'text') {
          text += event.delta;
          onContent?.(event.delta, text);
        } else if (event.type === 'reasoning') {
          reasoning += event.delta;
          onReasoning?.(event.delta, reasoning);
        } else if (event.type === 'tool-call') {
          onToolCall?.({ id: event.id, name: event.name, input: event.input });
        }
      }
      const result = await stream.finalResult();
      onComplete?.(result);
      return result;
    } catch (error) {
      // Only the library's own errors go to onError; a throwing callback is the caller's bug.
      if (onError !== undefined && BedrockInferenceError.isInstance(error)) {
        onError(error);
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Runs a multi-step tool loop (tool-runner.ts): streams each step, runs the tools the model called,
   * sends their results back, until the model answers without tools or `maxSteps` calls were made.
   * Throws ValidationError at once for a bad request; everything after that goes through the run.
   */
  runTools(request: RunToolsRequest): ToolRun {
    return runTools(this, request);
  }

  /** A non-streaming call (InvokeModel / Converse) with the same result shape. */
  async invoke(request: InferenceRequest): Promise<InferenceResult> {
    return runUnary(this.#context(request));
  }

  /** Closes the SDK client's connections when this client created it. */
  destroy(): void {
    this.#transport.destroy();
  }

  #context(request: InferenceRequest): CallContext {
    const options = this.#options;
    const modelId = resolveModelId(request, options.modelId);
    const normalized = normalizeRequest(request);
    const api = request.api ?? 'invoke';
    const timeouts = resolveTimeouts(options.timeouts, request.timeouts);
    const chunking = request.chunking ?? options.chunking;
    createRechunker(chunking);
    const adapter = api === 'invoke' ? resolveAdapter(modelId, options.family) : optionalAdapter(modelId, options);
    // Images, documents and cache points a native format cannot carry fail here, before quota or network.
    if (api === 'invoke' && adapter !== undefined) {
      checkNativeMedia(adapter.family, normalized.messages, modelId);
      checkNativeCachePoints(adapter.family, normalized);
    }
    // Likewise tools (and tool choices) the native format cannot express.
    if (api === 'invoke' && adapter !== undefined) checkNativeTools(adapter.family, normalized);
    if (api === 'converse') checkConverseTools(normalized);
    // Converse has no family template; invoke bodies carry the family's.
    const estimatedInputTokens = estimateInputTokens(
      normalized,
      api === 'invoke' ? (options.family ?? detectFamily(modelId)) : undefined,
    );
    return {
      transport: this.#transport,
      modelId,
      api,
      adapter,
      request: normalized,
      estimatedInputTokens,
      retry: this.#retry,
      timeouts,
      resume: resolveResumePolicy(options.resume, request.resume),
      chunking,
      quota: options.quota,
      scope: new CallScope(request.signal, timeouts.totalMs),
      state: new StreamState(estimatedInputTokens),
    };
  }
}

/** Converse works for any model; the family adapter (when known) only tells how to resume. */
function optionalAdapter(modelId: string, options: BedrockStreamingClientOptions): ModelAdapter | undefined {
  try {
    return resolveAdapter(modelId, options.family);
  } catch {
    return undefined;
  }
}
