/**
 * Amazon Nova, native "messages-v1" body (bedrock-wire.md §4.3). Each stream chunk holds one Converse-style
 * event key; the last one carries `metadata` beside `amazon-bedrock-invocationMetrics`.
 */
import { cacheToolDefinitions, converseStyleContent, converseStyleSystem } from './converse-blocks.js';
import { converseStyleToolConfig, type ConverseStyleToolConfig } from './converse-tools.js';
import { ToolCallAssembler, emitWholeToolCall } from './tool-call-assembler.js';
import { emitFamilyUsage, emitInvocationMetrics, emitLatency, type CacheCounts } from './bedrock-metrics.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
import { CONVERSE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, INT, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(CONVERSE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);

interface NovaDelta {
  text?: string;
  reasoningContent?: { text?: string };
  toolUse?: { input?: string };
}

interface NovaChunk {
  contentBlockDelta?: { delta?: NovaDelta; contentBlockIndex?: number };
  contentBlockStart?: { start?: { toolUse?: { toolUseId?: string; name?: string } }; contentBlockIndex?: number };
  contentBlockStop?: { contentBlockIndex?: number };
  messageStop?: { stopReason?: string };
  metadata?: { usage?: NovaUsage; metrics?: { latencyMs?: number } };
}

/** Nova's usage; cached prefix tokens are counted apart from `inputTokens`. */
interface NovaUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

function novaCache(usage: NovaUsage | undefined): CacheCounts | undefined {
  return usage === undefined
    ? undefined
    : { read: usage.cacheReadInputTokenCount, write: usage.cacheWriteInputTokenCount };
}

interface NovaResponse {
  output?: {
    message?: {
      content?: {
        text?: string;
        reasoningContent?: { reasoningText?: { text?: string } };
        toolUse?: { toolUseId?: string; name?: string; input?: unknown };
      }[];
    };
  };
  stopReason?: string;
  usage?: NovaUsage;
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  const { turns, prefill } = splitPrefill(request.messages);
  const messages = turns.map((m, index) => ({
    role: m.role,
    content: converseStyleContent(m.content, `messages[${index}]`, 'base64'),
  }));
  // Nova continues a trailing assistant turn (prefill); it must not end in whitespace.
  const trimmed = prefill?.trimEnd();
  if (trimmed !== undefined && trimmed.length > 0) messages.push({ role: 'assistant', content: [{ text: trimmed }] });
  const stopSequences = stopList(request);
  return withAdditional(request, {
    schemaVersion: 'messages-v1',
    system: converseStyleSystem(request.system, request.cachePoints),
    messages,
    inferenceConfig: {
      maxTokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.topP === undefined ? {} : { topP: request.topP }),
      ...(request.topK === undefined ? {} : { topK: request.topK }),
      ...(stopSequences === undefined ? {} : { stopSequences }),
    },
    toolConfig: novaToolConfig(request),
  });
}

/** Nova's `toolConfig` has Converse's shape (converse-tools.ts), with the tools cache point when asked. */
function novaToolConfig(request: NormalizedRequest): ConverseStyleToolConfig | undefined {
  const config = converseStyleToolConfig(request.tools, request.toolChoice);
  cacheToolDefinitions(config, request.cachePoints);
  return config;
}

function createChunkDecoder(): ChunkDecoder {
  const toolCalls = new ToolCallAssembler();
  return (raw, emit) => {
    const chunk = raw as NovaChunk;
    const delta = chunk.contentBlockDelta?.delta;
    if (delta !== undefined) {
      if (delta.text) emit({ type: 'text', delta: delta.text });
      else if (delta.reasoningContent?.text) emit({ type: 'reasoning', delta: delta.reasoningContent.text });
      else if (delta.toolUse !== undefined) {
        toolCalls.delta(chunk.contentBlockDelta!.contentBlockIndex ?? 0, delta.toolUse.input ?? '', emit);
      }
      return;
    }
    if (chunk.contentBlockStart !== undefined || chunk.contentBlockStop !== undefined) {
      decodeToolBlockEdge(chunk, toolCalls, emit);
      return;
    }
    if (chunk.messageStop !== undefined) {
      emitStop(chunk.messageStop.stopReason, emit);
      return;
    }
    if (emitInvocationMetrics(raw, emit, novaCache(chunk.metadata?.usage))) return;
    if (chunk.metadata !== undefined) {
      const usage = chunk.metadata.usage;
      emitFamilyUsage(emit, usage?.inputTokens, usage?.outputTokens, novaCache(usage));
      emitLatency(emit, undefined, chunk.metadata.metrics?.latencyMs);
    }
  };
}

/** A content block's start (a tool call begins) or stop (the call under that index ends). */
function decodeToolBlockEdge(chunk: NovaChunk, toolCalls: ToolCallAssembler, emit: ChunkEventSink): void {
  const toolUse = chunk.contentBlockStart?.start?.toolUse;
  if (toolUse !== undefined) {
    toolCalls.start(chunk.contentBlockStart!.contentBlockIndex ?? 0, toolUse.toolUseId ?? '', toolUse.name ?? '', emit);
  } else if (chunk.contentBlockStop !== undefined) {
    toolCalls.finish(chunk.contentBlockStop.contentBlockIndex ?? 0, emit);
  }
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as NovaResponse;
  for (const block of response.output?.message?.content ?? []) {
    const reasoning = block.reasoningContent?.reasoningText?.text;
    if (reasoning) emit({ type: 'reasoning', delta: reasoning });
    if (block.text) emit({ type: 'text', delta: block.text });
    const toolUse = block.toolUse;
    if (toolUse !== undefined) {
      emitWholeToolCall({ id: toolUse.toolUseId ?? '', name: toolUse.name ?? '', input: toolUse.input }, emit);
    }
  }
  emitStop(response.stopReason, emit);
  emitFamilyUsage(emit, response.usage?.inputTokens, response.usage?.outputTokens, novaCache(response.usage));
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
