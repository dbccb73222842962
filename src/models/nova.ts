/**
 * Amazon Nova, native "messages-v1" body (bedrock-wire.md §4.3). Each stream chunk holds one Converse-style
 * event key; the last one carries `metadata` beside `amazon-bedrock-invocationMetrics`.
 */
import { emitFamilyUsage, emitInvocationMetrics, emitLatency } from './bedrock-metrics.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
import { CONVERSE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, INT, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(CONVERSE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);

interface NovaDelta {
  text?: string;
  reasoningContent?: { text?: string };
}

interface NovaChunk {
  contentBlockDelta?: { delta?: NovaDelta };
  messageStop?: { stopReason?: string };
  metadata?: { usage?: { inputTokens?: number; outputTokens?: number }; metrics?: { latencyMs?: number } };
}

interface NovaResponse {
  output?: { message?: { content?: { text?: string; reasoningContent?: { reasoningText?: { text?: string } } }[] } };
  stopReason?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  const { turns, prefill } = splitPrefill(request.messages);
  const messages = turns.map((m) => ({ role: m.role, content: [{ text: m.content }] }));
  // Nova continues a trailing assistant turn (prefill); it must not end in whitespace.
  const trimmed = prefill?.trimEnd();
  if (trimmed !== undefined && trimmed.length > 0) messages.push({ role: 'assistant', content: [{ text: trimmed }] });
  const stopSequences = stopList(request);
  return withAdditional(request, {
    schemaVersion: 'messages-v1',
    system: request.system === undefined ? undefined : [{ text: request.system }],
    messages,
    inferenceConfig: {
      maxTokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.topP === undefined ? {} : { topP: request.topP }),
      ...(request.topK === undefined ? {} : { topK: request.topK }),
      ...(stopSequences === undefined ? {} : { stopSequences }),
    },
  });
}

function createChunkDecoder(): ChunkDecoder {
  return (raw, emit) => {
    const chunk = raw as NovaChunk;
    const delta = chunk.contentBlockDelta?.delta;
    if (delta !== undefined) {
      if (delta.text) emit({ type: 'text', delta: delta.text });
      else if (delta.reasoningContent?.text) emit({ type: 'reasoning', delta: delta.reasoningContent.text });
      return;
    }
    if (chunk.messageStop !== undefined) {
      emitStop(chunk.messageStop.stopReason, emit);
      return;
    }
    if (emitInvocationMetrics(raw, emit)) return;
    if (chunk.metadata !== undefined) {
      emitFamilyUsage(emit, chunk.metadata.usage?.inputTokens, chunk.metadata.usage?.outputTokens);
      emitLatency(emit, undefined, chunk.metadata.metrics?.latencyMs);
    }
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as NovaResponse;
  for (const block of response.output?.message?.content ?? []) {
    const reasoning = block.reasoningContent?.reasoningText?.text;
    if (reasoning) emit({ type: 'reasoning', delta: reasoning });
    if (block.text) emit({ type: 'text', delta: block.text });
  }
  emitStop(response.stopReason, emit);
  emitFamilyUsage(emit, response.usage?.inputTokens, response.usage?.outputTokens);
}

export const novaAdapter: ModelAdapter = {
  family: 'nova',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  continuation: 'prefill',
  deltaTemplates: [new DeltaTemplate({ contentBlockDelta: { delta: { text: TEXT }, contentBlockIndex: INT } })],
};
