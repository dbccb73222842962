/**
 * Mistral chat completion (bedrock-wire.md §4.5): `mistral.mistral-large-2407-v1:0`, Pixtral. OpenAI-style
 * `messages`; the streaming shape is not documented by AWS, so both `delta.content` and `message.content`
 * pieces are read, and both `stop_reason` and `finish_reason`.
 */
import { chatCompletionBody, createChatCompletionDecoder, decodeChatCompletion } from './openai-style.js';
import { OPENAI_STYLE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, INT, SKIPPED, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(OPENAI_STYLE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return chatCompletionBody(request, 'system', 'max_tokens', 'mistral');
}

function createChunkDecoder(): ChunkDecoder {
  return createChatCompletionDecoder(emitStop, { messageContent: true });
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  decodeChatCompletion(body, emit, emitStop);
}

export const mistralChatAdapter: ModelAdapter = {
  family: 'mistral-chat',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // Bedrock documents no assistant-prefix option for Mistral chat; a trailing assistant turn is not continued.
  continuation: 'none',
  // The streaming shape is unverified (bedrock-wire.md §4.5): as documented, and with an OpenAI-style id.
  deltaTemplates: [
    new DeltaTemplate({
      choices: [{ index: INT, message: { role: 'assistant', content: TEXT }, stop_reason: null }],
    }),
    new DeltaTemplate({
      id: SKIPPED,
      object: 'chat.completion.chunk',
      choices: [{ index: INT, message: { role: 'assistant', content: TEXT }, stop_reason: null }],
    }),
  ],
};
