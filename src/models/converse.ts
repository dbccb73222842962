/**
 * The Converse API (bedrock-wire.md §5), which works for every model: the input built from a NormalizedRequest,
 * a decoder for ConverseStream events (`:event-type` + member JSON), and the non-streaming response.
 */
import { textOnly } from './content.js';
import type {
  ContentBlock,
  ConverseCommandOutput,
  ConverseStreamCommandInput,
  Message,
} from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { emitLatency } from './bedrock-metrics.js';
import { CONVERSE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import { DeltaTemplate, INT, SKIPPED, TEXT } from './delta-template.js';
import type { ChunkEventSink, NormalizedRequest } from './types.js';

export const mapConverseStopReason = stopReasonMapper(CONVERSE_STOP_REASONS);

/** A `contentBlockDelta` event with text, as Bedrock writes it (with and without its `p` padding). */
export const CONVERSE_DELTA_TEMPLATES: readonly DeltaTemplate[] = [
  new DeltaTemplate({ contentBlockIndex: INT, delta: { text: TEXT }, p: SKIPPED }),
  new DeltaTemplate({ contentBlockIndex: INT, delta: { text: TEXT } }),
];
const emitStop = stopEmitter(mapConverseStopReason);

/** Usage and latency as Converse reports them: `metadata` while streaming, the response fields otherwise. */
function emitUsageAndLatency(
  usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined,
  latencyMs: number | undefined,
  emit: ChunkEventSink,
): void {
  if (usage !== undefined) {
    emit({
      type: 'usage',
      inputTokens: usage.inputTokens ?? 0,
      outputTokens: usage.outputTokens ?? 0,
      source: 'bedrock',
    });
  }
  emitLatency(emit, undefined, latencyMs);
}

interface ConverseDelta {
  text?: string;
  reasoningContent?: { text?: string };
}

interface ConversePayload {
  delta?: ConverseDelta;
  stopReason?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
  metrics?: { latencyMs?: number };
}

/** Model-specific fields Converse has no field for (top_k, Claude's thinking budget). */
function additionalFields(modelId: string, request: NormalizedRequest): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  const claude = modelId.includes('anthropic.');
  if (request.topK !== undefined) {
    if (claude) fields.top_k = request.topK;
    else if (modelId.includes('amazon.nova')) fields.inferenceConfig = { topK: request.topK };
    // Other families take top-k under their own names; pass them through additionalFields.
  }
  // Claude refuses a prefill with thinking on; a continued answer has done its thinking already.
  const prefilled = request.messages.at(-1)?.role === 'assistant';
  if (request.reasoning !== undefined && claude && !prefilled) {
    fields.thinking = { type: 'enabled', budget_tokens: request.reasoning.budgetTokens };
  }
  const merged = request.additionalFields === undefined ? fields : { ...fields, ...request.additionalFields };
  return Object.keys(merged).length === 0 ? undefined : merged;
}

export function buildConverseInput(modelId: string, request: NormalizedRequest): ConverseStreamCommandInput {
  const messages: Message[] = request.messages.map((m) => ({ role: m.role, content: [{ text: textOnly(m.content, 'Converse') }] }));
  // A trailing assistant message is a prefill; Bedrock rejects one ending in whitespace.
  const last = messages[messages.length - 1];
  const lastBlock = last?.content?.[0];
  if (last?.role === 'assistant' && lastBlock?.text !== undefined) {
    const trimmed = lastBlock.text.trimEnd();
    if (trimmed.length === 0) messages.pop();
    else last.content = [{ text: trimmed }];
  }
  const input: ConverseStreamCommandInput = {
    modelId,
    messages,
    inferenceConfig: {
      maxTokens: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.topP === undefined ? {} : { topP: request.topP }),
      ...(request.stopSequences === undefined || request.stopSequences.length === 0
        ? {}
        : { stopSequences: [...request.stopSequences] }),
    },
  };
  if (request.system !== undefined) input.system = [{ text: request.system }];
  const extra = additionalFields(modelId, request);
  if (extra !== undefined) input.additionalModelRequestFields = extra as DocumentType;
  return input;
}

/** A ConverseStream decoder: text and reasoning deltas, the stop reason, then usage and latency. */
export function createConverseDecoder(): (
  eventType: string,
  payload: Record<string, unknown>,
  emit: ChunkEventSink,
) => void {
  return (eventType, raw, emit) => {
    const payload = raw as ConversePayload;
    switch (eventType) {
      case 'contentBlockDelta': {
        const delta = payload.delta;
        if (delta?.text) emit({ type: 'text', delta: delta.text });
        else if (delta?.reasoningContent?.text) emit({ type: 'reasoning', delta: delta.reasoningContent.text });
        return; // toolUse, signature, redactedContent, citations: not text
      }
      case 'messageStop':
        emitStop(payload.stopReason, emit);
        return;
      case 'metadata':
        emitUsageAndLatency(payload.usage, payload.metrics?.latencyMs, emit);
        return;
      default:
        return; // messageStart, contentBlockStart/Stop, future events
    }
  };
}

function emitBlock(block: ContentBlock, emit: ChunkEventSink): void {
  const reasoning = block.reasoningContent?.reasoningText?.text;
  if (reasoning) emit({ type: 'reasoning', delta: reasoning });
  if (block.text) emit({ type: 'text', delta: block.text });
}

export function decodeConverseResponse(output: ConverseCommandOutput, emit: ChunkEventSink): void {
  for (const block of output.output?.message?.content ?? []) emitBlock(block, emit);
  emitStop(output.stopReason, emit);
  emitUsageAndLatency(output.usage, output.metrics?.latencyMs, emit);
}
