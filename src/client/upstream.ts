/**
 * What differs between the two streaming APIs, chosen once per attempt: the SDK command to send and
 * how one event frame becomes ChunkEvents. A FrameDecoder is the per-chunk hot path: one payload parse
 * and one adapter call on a byte range of the read, no closures, views or arrays created per frame.
 */
import {
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { decodeChunkPayload, decodeJsonPayload } from './event-stream/chunk-payload.js';
import type { AttemptAbort } from './abort-state.js';
import type { BedrockTransport, RawStream } from './transport/transport.js';
import { buildConverseInput, CONVERSE_DELTA_TEMPLATES, createConverseDecoder } from '../models/converse.js';
import { cacheFields } from '../models/bedrock-metrics.js';
import { GuardrailWatch } from '../models/guardrail-verdict.js';
import { converseOptions, invokeOptions, invokeStreamBodyFields } from '../models/service-options.js';
import type { ChunkEventSink, ModelAdapter, NormalizedRequest } from '../models/types.js';

export type ApiKind = 'invoke' | 'converse';

/** Decodes one event frame, its payload at bytes[start, end) (valid during the call only). */
export type FrameDecoder = (eventType: string | undefined, bytes: Uint8Array, start: number, end: number) => void;

export function streamCommand(
  api: ApiKind,
  modelId: string,
  adapter: ModelAdapter | undefined,
  request: NormalizedRequest,
): InvokeModelWithResponseStreamCommand | ConverseStreamCommand {
  if (api === 'converse') {
    return new ConverseStreamCommand({ ...buildConverseInput(modelId, request), ...converseOptions(request, true) });
  }
  const body = requireAdapter(adapter).buildRequest(request);
  const guardrailBody = invokeStreamBodyFields(request);
  return new InvokeModelWithResponseStreamCommand({
    modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: JSON.stringify(guardrailBody === undefined ? body : { ...body, ...guardrailBody }),
    // No members at all without options, so the lean request template still applies.
    ...invokeOptions(request),
  });
}

export function unaryCommand(
  api: ApiKind,
  modelId: string,
  adapter: ModelAdapter | undefined,
  request: NormalizedRequest,
): InvokeModelCommand | ConverseCommand {
  if (api === 'converse') {
    const input = { ...buildConverseInput(modelId, request), ...converseOptions(request, false) };
    return new ConverseCommand(input as ConverseCommandInput);
  }
  return new InvokeModelCommand({
    modelId,
    contentType: 'application/json',
    accept: 'application/json',
    body: JSON.stringify(requireAdapter(adapter).buildRequest(request)),
    ...invokeOptions(request),
  });
}

/**
 * Sends one attempt's request. The command (its middleware stack, signed request) stays in this
 * frame: held in a suspended stream generator it would cost every open stream kilobytes.
 */
export function openUpstream(
  ctx: { transport: BedrockTransport; api: ApiKind; modelId: string; adapter: ModelAdapter | undefined },
  request: NormalizedRequest,
  abort: AttemptAbort,
): Promise<RawStream> {
  return ctx.transport.openStream(streamCommand(ctx.api, ctx.modelId, ctx.adapter, request), abort);
}

/**
 * A fresh decoder for one attempt (adapters keep per-stream state in their closure); `request` is the
 * attempt's (a resume's decoder may start in the answer: ModelAdapter.createChunkDecoder).
 */
export function frameDecoder(
  api: ApiKind,
  adapter: ModelAdapter | undefined,
  emit: ChunkEventSink,
  guardrail = false,
  request?: NormalizedRequest,
): FrameDecoder {
  // Only calls with a guardrail read its fields: the plain path stays as it is.
  if (guardrail) {
    // The trace is always asked for (service-options.ts); the caller sees it only with `trace: true`.
    return guardedFrameDecoder(api, adapter, new GuardrailWatch(emit, request?.guardrail?.trace === true), request);
  }
  if (api === 'converse') {
    const decode = createConverseDecoder();
    return (eventType, bytes, start, end) => {
      // Converse events are named by :event-type; an unnamed one carries nothing we can read.
      if (eventType === undefined) return;
      const templates = eventType === 'contentBlockDelta' ? CONVERSE_DELTA_TEMPLATES : undefined;
      decode(eventType, decodeJsonPayload(bytes, start, end, templates), emit);
    };
  }
  const family = requireAdapter(adapter);
  const decode = family.createChunkDecoder(request);
  const templates = family.deltaTemplates;
  return (eventType, bytes, start, end) => {
    if (eventType !== 'chunk') return;
    decode(decodeChunkPayload(bytes, start, end, templates), emit);
  };
}

/** frameDecoder's twin for calls with a guardrail: the verdict is read from each frame before its events. */
function guardedFrameDecoder(
  api: ApiKind,
  adapter: ModelAdapter | undefined,
  watch: GuardrailWatch,
  request: NormalizedRequest | undefined,
): FrameDecoder {
  if (api === 'converse') {
    const decode = createConverseDecoder();
    return (eventType, bytes, start, end) => {
      if (eventType === undefined) return;
      const payload = decodeJsonPayload(bytes, start, end, undefined);
      watch.readConverse(eventType, payload);
      decode(eventType, payload, watch.sink);
    };
  }
  const decode = requireAdapter(adapter).createChunkDecoder(request);
  return (eventType, bytes, start, end) => {
    if (eventType !== 'chunk') return;
    const chunk = decodeChunkPayload(bytes, start, end, undefined);
    watch.readNative(chunk);
    decode(chunk, watch.sink);
  };
}

function requireAdapter(adapter: ModelAdapter | undefined): ModelAdapter {
  if (adapter === undefined) throw new Error('invoke API without a model adapter (resolveAdapter should have thrown)');
  return adapter;
}

/** InvokeModel reports usage and latency only in response headers (the transport keeps them). */
export function emitHeaderUsage(headers: Record<string, string | undefined> | undefined, emit: ChunkEventSink): void {
  if (headers === undefined) return;
  const input = Number(headers['x-amzn-bedrock-input-token-count']);
  const output = Number(headers['x-amzn-bedrock-output-token-count']);
  if (headers['x-amzn-bedrock-output-token-count'] !== undefined && Number.isFinite(input) && Number.isFinite(output)) {
    emit({
      type: 'usage',
      inputTokens: input,
      outputTokens: output,
      source: 'bedrock',
      ...cacheFields({
        read: headerCount(headers['x-amzn-bedrock-cache-read-input-token-count']),
        write: headerCount(headers['x-amzn-bedrock-cache-write-input-token-count']),
      }),
    });
  }
  const latency = Number(headers['x-amzn-bedrock-invocation-latency']);
  if (headers['x-amzn-bedrock-invocation-latency'] !== undefined && Number.isFinite(latency)) {
    emit({ type: 'metrics', invocationLatencyMs: latency });
  }
}

function headerCount(value: string | undefined): number | undefined {
  const count = value === undefined ? NaN : Number(value);
  return Number.isFinite(count) ? count : undefined;
}
