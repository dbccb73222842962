/**
 * AI21 Jamba (bedrock-wire.md §4.7): OpenAI-style `messages`; chunks carry `choices[0].delta.content`; the
 * invocation metrics may arrive in a separate trailing chunk, so usage can be reported twice (last one wins).
 */
import { chatCompletionBody, createChatCompletionDecoder, decodeChatCompletion } from './openai-style.js';
import { OPENAI_STYLE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, INT, SKIPPED, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(OPENAI_STYLE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return chatCompletionBody(request, 'system', 'max_tokens');
}

function createChunkDecoder(): ChunkDecoder {
  return createChatCompletionDecoder(emitStop, { messageContent: false });
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  decodeChatCompletion(body, emit, emitStop);
}

export const ai21Adapter: ModelAdapter = {
  family: 'ai21',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // Jamba's chat API has no documented assistant prefill: a trailing assistant turn starts a new answer.
  continuation: 'none',
  // OpenAI-style chunks, with or without the `logprobs` and `usage` nulls OpenAI-compatible servers write.
  deltaTemplates: [
    new DeltaTemplate({ id: SKIPPED, choices: [{ index: INT, delta: { content: TEXT }, finish_reason: null }] }),
    new DeltaTemplate({
      id: SKIPPED,
      choices: [{ index: INT, delta: { content: TEXT }, logprobs: null, finish_reason: null }],
      usage: null,
    }),
  ],
};
