/**
 * Anthropic Claude, Messages API (bedrock-wire.md §4.1): `anthropic.claude-*` (Claude 3 and later).
 * Text from `text_delta`, reasoning from `thinking_delta`; `signature_delta`, tool JSON, citations and `ping`
 * never reach the text.
 */
import { textOnly } from './content.js';
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
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
});
const emitStop = stopEmitter(mapStopReason);

interface ClaudeChunk {
  type?: string;
  message?: { usage?: { input_tokens?: number } };
  delta?: { type?: string; text?: string; thinking?: string; stop_reason?: string | null };
  usage?: { output_tokens?: number };
}

interface ClaudeResponse {
  content?: { type?: string; text?: string; thinking?: string }[];
  stop_reason?: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  const { turns, prefill } = splitPrefill(request.messages);
  const messages: { role: string; content: string }[] = turns.map((m) => ({ role: m.role, content: textOnly(m.content, 'Claude messages') }));
  // Claude rejects a final assistant turn that ends in whitespace; the model writes that whitespace itself.
  const trimmed = prefill?.trimEnd();
  if (trimmed !== undefined && trimmed.length > 0) messages.push({ role: 'assistant', content: trimmed });
  return withAdditional(request, {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: request.maxTokens,
    system: request.system,
    messages,
    temperature: request.temperature,
    top_p: request.topP,
    top_k: request.topK,
    stop_sequences: stopList(request),
    // Claude refuses a prefill with thinking on; a continued answer has done its thinking already.
    thinking:
      request.reasoning === undefined || messages.at(-1)?.role === 'assistant'
        ? undefined
        : { type: 'enabled', budget_tokens: request.reasoning.budgetTokens },
  });
}

function createChunkDecoder(): ChunkDecoder {
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  return (raw, emit) => {
    const chunk = raw as ClaudeChunk;
    switch (chunk.type) {
      case 'content_block_delta': {
        const delta = chunk.delta;
        if (delta?.type === 'text_delta' && delta.text) emit({ type: 'text', delta: delta.text });
        else if (delta?.type === 'thinking_delta' && delta.thinking) emit({ type: 'reasoning', delta: delta.thinking });
        return;
      }
      case 'message_start':
        inputTokens = chunk.message?.usage?.input_tokens;
        return;
      case 'message_delta': {
        if (chunk.usage?.output_tokens !== undefined) outputTokens = chunk.usage.output_tokens;
        const stop = chunk.delta?.stop_reason;
        if (stop !== undefined && stop !== null) emitStop(stop, emit);
        return;
      }
      case 'message_stop':
        if (!emitInvocationMetrics(raw, emit)) emitFamilyUsage(emit, inputTokens, outputTokens);
        return;
      default:
        return; // content_block_start/stop, ping, future types
    }
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as ClaudeResponse;
  for (const block of response.content ?? []) {
    if (block.type === 'thinking' && block.thinking) emit({ type: 'reasoning', delta: block.thinking });
    else if (block.type === 'text' && block.text) emit({ type: 'text', delta: block.text });
  }
  emitStop(response.stop_reason, emit);
  emitFamilyUsage(emit, response.usage?.input_tokens, response.usage?.output_tokens);
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
