/**
 * Anthropic legacy Text Completions (bedrock-wire.md §4.1): `anthropic.claude-v2`, `claude-v2:1`,
 * `claude-instant-v1`. The prompt is the `\n\nHuman:` / `\n\nAssistant:` transcript.
 */
import { textOnly } from './content.js';
import { emitInvocationMetrics } from './bedrock-metrics.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
import { stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper({
  stop_sequence: 'end_turn', // the model's own `\n\nHuman:` stop; a caller's stop sequence reads the same
  max_tokens: 'max_tokens',
  end_turn: 'end_turn',
});
const emitStop = stopEmitter(mapStopReason);

interface TextChunk {
  completion?: string;
  stop_reason?: string | null;
}

function buildPrompt(request: NormalizedRequest): string {
  const { turns, prefill } = splitPrefill(request.messages);
  let prompt = request.system === undefined ? '' : request.system;
  for (const message of turns) {
    prompt += `\n\n${message.role === 'user' ? 'Human' : 'Assistant'}: ${textOnly(message.content, "Claude's text-completion format")}`;
  }
  // A prefill continues the assistant turn: the completion is appended to it verbatim.
  return prompt + '\n\nAssistant:' + (prefill === undefined ? '' : ` ${prefill}`);
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return withAdditional(request, {
    prompt: buildPrompt(request),
    max_tokens_to_sample: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    top_k: request.topK,
    stop_sequences: stopList(request),
  });
}

function createChunkDecoder(): ChunkDecoder {
  return (raw, emit) => {
    const chunk = raw as TextChunk;
    if (chunk.completion) emit({ type: 'text', delta: chunk.completion });
    if (chunk.stop_reason !== undefined && chunk.stop_reason !== null) emitStop(chunk.stop_reason, emit);
    emitInvocationMetrics(raw, emit);
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as TextChunk;
  if (response.completion) emit({ type: 'text', delta: response.completion });
  emitStop(response.stop_reason, emit);
}

export const anthropicTextAdapter: ModelAdapter = {
  family: 'anthropic-text',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  continuation: 'prefill',
  deltaTemplates: [new DeltaTemplate({ completion: TEXT, stop_reason: null, stop: null })],
};
