/**
 * Mistral chat completion (bedrock-wire.md §4.5): `mistral.mistral-large-2407-v1:0`, Pixtral. OpenAI-style
 * `messages`; the streaming shape is not documented by AWS, so both `delta.content` and `message.content`
 * pieces are read, and both `stop_reason` and `finish_reason`.
 */
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { chatMessages, finishOf } from './openai-style.js';
import type { OpenAiStyleChunk } from './openai-style.js';
import { stopList, withAdditional } from './request-fields.js';
import { OPENAI_STYLE_STOP_REASONS, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';

const mapStopReason = stopReasonMapper(OPENAI_STYLE_STOP_REASONS);

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return withAdditional(request, {
    messages: chatMessages(request, 'system'),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: stopList(request),
  });
}

function emitStop(raw: string | null | undefined, emit: ChunkEventSink): void {
  const mapped = mapStopReason(raw);
  emit({ type: 'stop', reason: mapped.unified, rawReason: mapped.raw });
}

function createChunkDecoder(): ChunkDecoder {
  return (raw, emit) => {
    const chunk = raw as OpenAiStyleChunk;
    const choice = chunk.choices?.[0];
    if (choice !== undefined) {
      const text = choice.delta?.content ?? choice.message?.content;
      if (text) emit({ type: 'text', delta: text });
      const finish = finishOf(choice);
      if (finish === undefined || finish === null) return;
      emitStop(finish, emit);
    }
    if (!emitInvocationMetrics(raw, emit) && chunk.usage) {
      emitFamilyUsage(emit, chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
    }
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as OpenAiStyleChunk;
  const choice = response.choices?.[0];
  if (choice?.message?.content) emit({ type: 'text', delta: choice.message.content });
  emitStop(choice === undefined ? undefined : finishOf(choice), emit);
  if (response.usage) emitFamilyUsage(emit, response.usage.prompt_tokens, response.usage.completion_tokens);
}

export const mistralChatAdapter: ModelAdapter = {
  family: 'mistral-chat',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // Bedrock documents no assistant-prefix option for Mistral chat; a trailing assistant turn is not continued.
  continuation: 'none',
};
