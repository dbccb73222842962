/**
 * What differs between the two streaming APIs, chosen once per attempt: the SDK command to send and
 * how one event-stream message becomes ChunkEvents. `decode` is the per-chunk hot path: one payload
 * parse and one adapter call, no closures or arrays created per message.
 */
import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { BedrockRuntimeClient, ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import type { DeserializeMiddleware, MiddlewareStack } from '@smithy/types';
import type { EventStreamMessage } from './event-stream/decoder.js';
import { decodeChunkPayload, decodeJsonPayload } from './event-stream/chunk-payload.js';
import { sendEventStreamCommand, type RawEventStreamResponse } from './event-stream/raw-response.js';
import { buildConverseInput, createConverseDecoder } from '../models/converse.js';
import type { ChunkEventSink, ModelAdapter, NormalizedRequest } from '../models/types.js';

export type ApiKind = 'invoke' | 'converse';

export type MessageDecoder = (message: EventStreamMessage) => void;

export function streamCommand(
  api: ApiKind,
  modelId: string,
  adapter: ModelAdapter | undefined,
  request: NormalizedRequest,
): InvokeModelWithResponseStreamCommand | ConverseStreamCommand {
  if (api === 'converse') return new ConverseStreamCommand(buildConverseInput(modelId, request));
  return new InvokeModelWithResponseStreamCommand({
    modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: JSON.stringify(requireAdapter(adapter).buildRequest(request)),
  });
}

export function unaryCommand(
  api: ApiKind,
  modelId: string,
  adapter: ModelAdapter | undefined,
  request: NormalizedRequest,
): InvokeModelCommand | ConverseCommand {
  if (api === 'converse') {
    return new ConverseCommand(buildConverseInput(modelId, request) as ConverseCommandInput);
  }
  return new InvokeModelCommand({
    modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: JSON.stringify(requireAdapter(adapter).buildRequest(request)),
  });
}

/**
 * Sends one attempt's request. The command (its middleware stack, signed request) stays in this
 * frame: held in a suspended stream generator it would cost every open stream kilobytes.
 */
export function openUpstream(
  ctx: { sdk: BedrockRuntimeClient; api: ApiKind; modelId: string; adapter: ModelAdapter | undefined },
  request: NormalizedRequest,
  signal: AbortSignal,
): Promise<RawEventStreamResponse> {
  return sendEventStreamCommand(ctx.sdk, streamCommand(ctx.api, ctx.modelId, ctx.adapter, request), signal);
}

/** A fresh decoder for one attempt (adapters keep per-stream state in their closure). */
export function messageDecoder(api: ApiKind, adapter: ModelAdapter | undefined, emit: ChunkEventSink): MessageDecoder {
  if (api === 'converse') {
    const decode = createConverseDecoder();
    return (message) => {
      // Converse events are named by :event-type; an unnamed one carries nothing we can read.
      if (message.eventType === undefined) return;
      const payload = decodeJsonPayload(message.payload);
      decode(message.eventType, payload, emit);
    };
  }
  const decode = requireAdapter(adapter).createChunkDecoder();
  return (message) => {
    if (message.eventType !== 'chunk') return;
    const chunk = decodeChunkPayload(message.payload);
    decode(chunk, emit);
  };
}

function requireAdapter(adapter: ModelAdapter | undefined): ModelAdapter {
  if (adapter === undefined) throw new Error('invoke API without a model adapter (resolveAdapter should have thrown)');
  return adapter;
}

/**
 * InvokeModel reports usage and latency only in response headers, which the SDK's output drops:
 * a deserialize middleware keeps them for `emitHeaderUsage`.
 */
export function captureResponseHeaders(command: InvokeModelCommand | ConverseCommand): {
  headers: Record<string, string | undefined> | undefined;
} {
  const holder: { headers: Record<string, string | undefined> | undefined } = { headers: undefined };
  const capture: DeserializeMiddleware<object, object> = (next) => async (args) => {
    const result = await next(args);
    holder.headers = (result.response as { headers?: Record<string, string | undefined> }).headers;
    return result;
  };
  const stack = command.middlewareStack as unknown as MiddlewareStack<object, object>;
  stack.add(capture, { step: 'deserialize', priority: 'low', name: 'awsBedrockInferenceHeaders', override: true });
  return holder;
}

export function emitHeaderUsage(headers: Record<string, string | undefined> | undefined, emit: ChunkEventSink): void {
  if (headers === undefined) return;
  const input = Number(headers['x-amzn-bedrock-input-token-count']);
  const output = Number(headers['x-amzn-bedrock-output-token-count']);
  if (headers['x-amzn-bedrock-output-token-count'] !== undefined && Number.isFinite(input) && Number.isFinite(output)) {
    emit({ type: 'usage', inputTokens: input, outputTokens: output, source: 'bedrock' });
  }
  const latency = Number(headers['x-amzn-bedrock-invocation-latency']);
  if (headers['x-amzn-bedrock-invocation-latency'] !== undefined && Number.isFinite(latency)) {
    emit({ type: 'metrics', invocationLatencyMs: latency });
  }
}
