/**
 * The Converse API (bedrock-wire.md §5), which works for every model: the input built from a NormalizedRequest,
 * a decoder for ConverseStream events (`:event-type` + member JSON), and the non-streaming response.
 */
import { cacheToolDefinitions, converseStyleContent, converseStyleSystem } from './converse-blocks.js';
import { converseStyleToolConfig } from './converse-tools.js';
import { ToolCallAssembler, emitWholeToolCall } from './tool-call-assembler.js';
import type {
  ContentBlock,
  ConverseCommandOutput,
  ConverseStreamCommandInput,
  Message,
  SystemContentBlock,
  ToolConfiguration,
} from '@aws-sdk/client-bedrock-runtime';
import type { DocumentType } from '@smithy/types';
import { cacheFields, emitLatency } from './bedrock-metrics.js';
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
  usage: ConverseUsage | undefined,
  latencyMs: number | undefined,
  emit: ChunkEventSink,
): void {
  if (usage !== undefined) {
    emit({
      type: 'usage',
      inputTokens: usage.inputTokens ?? 0,
      outputTokens: usage.outputTokens ?? 0,
      source: 'bedrock',
      ...cacheFields({ read: usage.cacheReadInputTokens, write: usage.cacheWriteInputTokens }),
    });
  }
  emitLatency(emit, undefined, latencyMs);
}

interface ConverseDelta {
  text?: string;
  reasoningContent?: { text?: string };
  toolUse?: { input?: string };
}

/** Converse's usage; cached prefix tokens are counted apart from `inputTokens`. */
interface ConverseUsage {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  cacheReadInputTokens?: number | undefined;
  cacheWriteInputTokens?: number | undefined;
}

interface ConversePayload {
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
  delta?: ConverseDelta;
  stopReason?: string;
  usage?: ConverseUsage;
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
  const messages: Message[] = request.messages.map((m, index) => ({
    role: m.role,
    // The SDK's ContentBlock union, built as plain objects of its members (image and document bytes as Uint8Array).
    content: converseStyleContent(m.content, `messages[${index}]`, 'bytes') as unknown as ContentBlock[],
  }));
  // A trailing assistant message is a prefill; Bedrock rejects one ending in whitespace.
  const last = messages[messages.length - 1];
  const lastBlock = last?.content?.length === 1 ? last.content[0] : undefined;
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
  const system = converseStyleSystem(request.system, request.cachePoints);
  if (system !== undefined) input.system = system as unknown as SystemContentBlock[];
  const extra = additionalFields(modelId, request);
  if (extra !== undefined) input.additionalModelRequestFields = extra as DocumentType;
  const toolConfig = converseStyleToolConfig(request.tools, request.toolChoice);
  if (toolConfig !== undefined) {
    cacheToolDefinitions(toolConfig, request.cachePoints);
    input.toolConfig = toolConfig as unknown as ToolConfiguration;
  }
  return input;
}

/** A ConverseStream decoder: text and reasoning deltas, the stop reason, then usage and latency. */
export function createConverseDecoder(): (
  eventType: string,
  payload: Record<string, unknown>,
  emit: ChunkEventSink,
) => void {
  const toolCalls = new ToolCallAssembler();
  return (eventType, raw, emit) => {
    const payload = raw as ConversePayload;
    switch (eventType) {
      case 'contentBlockDelta': {
        const delta = payload.delta;
        if (delta?.text) emit({ type: 'text', delta: delta.text });
        else if (delta?.reasoningContent?.text) emit({ type: 'reasoning', delta: delta.reasoningContent.text });
        else if (delta?.toolUse !== undefined)
          toolCalls.delta(payload.contentBlockIndex ?? 0, delta.toolUse.input ?? '', emit);
        return; // signature, redactedContent, citations: not text
      }
      case 'contentBlockStart': {
        const toolUse = payload.start?.toolUse;
        if (toolUse !== undefined)
          toolCalls.start(payload.contentBlockIndex ?? 0, toolUse.toolUseId ?? '', toolUse.name ?? '', emit);
        return;
      }
      case 'contentBlockStop':
        toolCalls.finish(payload.contentBlockIndex ?? 0, emit);
        return;
      case 'messageStop':
        emitStop(payload.stopReason, emit);
        return;
      case 'metadata':
        emitUsageAndLatency(payload.usage, payload.metrics?.latencyMs, emit);
        return;
      default:
        return; // messageStart, future events
    }
  };
}

function emitBlock(block: ContentBlock, emit: ChunkEventSink): void {
  const reasoning = block.reasoningContent?.reasoningText?.text;
  if (reasoning) emit({ type: 'reasoning', delta: reasoning });
  if (block.text) emit({ type: 'text', delta: block.text });
  const toolUse = block.toolUse;
  if (toolUse !== undefined) {
    emitWholeToolCall({ id: toolUse.toolUseId ?? '', name: toolUse.name ?? '', input: toolUse.input }, emit);
  }
}

export function decodeConverseResponse(output: ConverseCommandOutput, emit: ChunkEventSink): void {
  for (const block of output.output?.message?.content ?? []) emitBlock(block, emit);
  emitStop(output.stopReason, emit);
  emitUsageAndLatency(output.usage, output.metrics?.latencyMs, emit);
}
