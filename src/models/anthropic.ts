/**
 * Anthropic Claude, Messages API (bedrock-wire.md §4.1): `anthropic.claude-*` (Claude 3 and later).
 * Text from `text_delta`, reasoning from `thinking_delta`, tool calls from `tool_use` blocks and their
 * `input_json_delta` fragments; `signature_delta`, citations and `ping` never reach the text.
 */
import { claudeMessageContent, claudeSystem, markCachedTools, type ClaudeBlock } from './anthropic-content.js';
import { emitFamilyUsage, emitInvocationMetrics, type CacheCounts } from './bedrock-metrics.js';
import { claudeToolChoice, claudeTools } from './anthropic-tools.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
import { ToolCallAssembler, emitWholeToolCall } from './tool-call-assembler.js';
import { stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, INT, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper({
  end_turn: 'end_turn',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  tool_use: 'tool_use',
  pause_turn: 'pause_turn',
  refusal: 'refusal',
  model_context_window_exceeded: 'context_window_exceeded',
  guardrail_intervened: 'guardrail_intervened',
  content_filtered: 'content_filtered',
});
const emitStop = stopEmitter(mapStopReason);

interface ClaudeChunk {
  type?: string;
  index?: number;
  message?: { usage?: ClaudeUsage };
  delta?: { type?: string; text?: string; thinking?: string; partial_json?: string; stop_reason?: string | null };
  content_block?: { type?: string; id?: string; name?: string };
  usage?: { output_tokens?: number };
}

interface ClaudeResponse {
  content?: { type?: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown }[];
  stop_reason?: string | null;
  usage?: ClaudeUsage & { output_tokens?: number };
}

/** Claude's input usage; cached prefix tokens are counted apart from `input_tokens`. */
interface ClaudeUsage {
  input_tokens?: number;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function claudeCache(usage: ClaudeUsage | undefined): CacheCounts | undefined {
  return usage === undefined
    ? undefined
    : { read: usage.cache_read_input_tokens, write: usage.cache_creation_input_tokens };
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  const { turns, prefill } = splitPrefill(request.messages);
  const messages: { role: string; content: string | ClaudeBlock[] }[] = turns.map((m, index) => ({
    role: m.role,
    content: claudeMessageContent(m.content, `messages[${index}]`),
  }));
  // Claude rejects a final assistant turn that ends in whitespace; the model writes that whitespace itself.
  const trimmed = prefill?.trimEnd();
  if (trimmed !== undefined && trimmed.length > 0) messages.push({ role: 'assistant', content: trimmed });
  const body = withAdditional(request, {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: request.maxTokens,
    system: claudeSystem(request.system, request.cachePoints),
    messages,
    temperature: request.temperature,
    top_p: request.topP,
    top_k: request.topK,
    stop_sequences: stopList(request),
    tools: claudeTools(request.tools),
    tool_choice: claudeToolChoice(request.toolChoice),
    // Claude refuses a prefill with thinking on; a continued answer has done its thinking already.
    thinking:
      request.reasoning === undefined || messages.at(-1)?.role === 'assistant'
        ? undefined
        : { type: 'enabled', budget_tokens: request.reasoning.budgetTokens },
  });
  markCachedTools(body.tools, request.cachePoints);
  return body;
}

function createChunkDecoder(): ChunkDecoder {
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let cache: CacheCounts | undefined;
  const toolCalls = new ToolCallAssembler();
  return (raw, emit) => {
    const chunk = raw as ClaudeChunk;
    switch (chunk.type) {
      case 'content_block_delta': {
        const delta = chunk.delta;
        if (delta?.type === 'text_delta' && delta.text) emit({ type: 'text', delta: delta.text });
        else if (delta?.type === 'thinking_delta' && delta.thinking) emit({ type: 'reasoning', delta: delta.thinking });
        else if (delta?.type === 'input_json_delta') toolCalls.delta(chunk.index ?? 0, delta.partial_json ?? '', emit);
        return;
      }
      case 'content_block_start': {
        const block = chunk.content_block;
        if (block?.type === 'tool_use') toolCalls.start(chunk.index ?? 0, block.id ?? '', block.name ?? '', emit);
        return;
      }
      case 'content_block_stop':
        toolCalls.finish(chunk.index ?? 0, emit);
        return;
      case 'message_start':
        inputTokens = chunk.message?.usage?.input_tokens;
        cache = claudeCache(chunk.message?.usage);
        return;
      case 'message_delta': {
        if (chunk.usage?.output_tokens !== undefined) outputTokens = chunk.usage.output_tokens;
        const stop = chunk.delta?.stop_reason;
        if (stop !== undefined && stop !== null) emitStop(stop, emit);
        return;
      }
      case 'message_stop':
        if (!emitInvocationMetrics(raw, emit, cache)) emitFamilyUsage(emit, inputTokens, outputTokens, cache);
        return;
      default:
        return; // ping, future types
    }
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as ClaudeResponse;
  for (const block of response.content ?? []) {
    if (block.type === 'thinking' && block.thinking) emit({ type: 'reasoning', delta: block.thinking });
    else if (block.type === 'text' && block.text) emit({ type: 'text', delta: block.text });
    else if (block.type === 'tool_use')
      emitWholeToolCall({ id: block.id ?? '', name: block.name ?? '', input: block.input }, emit);
  }
  emitStop(response.stop_reason, emit);
  emitFamilyUsage(emit, response.usage?.input_tokens, response.usage?.output_tokens, claudeCache(response.usage));
}

export const anthropicAdapter: ModelAdapter = {
  family: 'anthropic',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // A trailing assistant turn is continued by Claude (not combinable with extended thinking).
  continuation: 'prefill',
  deltaTemplates: [
    new DeltaTemplate({ type: 'content_block_delta', index: INT, delta: { type: 'text_delta', text: TEXT } }),
  ],
};
