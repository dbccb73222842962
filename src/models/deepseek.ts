/**
 * DeepSeek R1 (bedrock-wire.md §4.8): `prompt` in the R1 template ending in `<think>\n`, so the output opens
 * with reasoning that ends at `</think>`; chunks are `{"choices":[{"text","stop_reason"}]}`.
 */
import { emitInvocationMetrics } from './bedrock-metrics.js';
import { createReasoningTagSplitter } from './reasoning-tags.js';
import { stopList, withAdditional } from './request-fields.js';
import { OPENAI_STYLE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(OPENAI_STYLE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);

interface DeepSeekChunk {
  choices?: { text?: string; stop_reason?: string | null; finish_reason?: string | null }[];
}

function buildPrompt(request: NormalizedRequest): string {
  let prompt = '<｜begin▁of▁sentence｜>' + (request.system ?? '');
  for (const message of request.messages) {
    prompt +=
      message.role === 'user'
        ? `<｜User｜>${message.content}`
        : `<｜Assistant｜>${message.content}<｜end▁of▁sentence｜>`;
  }
  return prompt + '<｜Assistant｜><think>\n';
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return withAdditional(request, {
    prompt: buildPrompt(request),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: stopList(request),
  });
}

function createChunkDecoder(): ChunkDecoder {
  // The prompt opened <think>, so the stream starts inside the reasoning.
  const splitter = createReasoningTagSplitter('<think>', '</think>', true);
  return (raw, emit) => {
    const choice = (raw as DeepSeekChunk).choices?.[0];
    if (choice === undefined) {
      emitInvocationMetrics(raw, emit);
      return;
    }
    if (choice.text) splitter.push(choice.text, emit);
    const stop = choice.stop_reason ?? choice.finish_reason;
    if (stop === undefined || stop === null) return;
    splitter.flush(emit);
    emitStop(stop, emit);
    emitInvocationMetrics(raw, emit);
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const choice = (body as DeepSeekChunk).choices?.[0];
  if (choice?.text) {
    // A short answer may come without the reasoning block; only a `</think>` marks one.
    const splitter = createReasoningTagSplitter('<think>', '</think>', choice.text.includes('</think>'));
    splitter.push(choice.text, emit);
    splitter.flush(emit);
  }
  emitStop(choice?.stop_reason ?? choice?.finish_reason, emit);
}

export const deepseekAdapter: ModelAdapter = {
  family: 'deepseek',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // The stream starts inside <think> and the decoder cannot tell a continued answer from reasoning, and R1
  // re-thinks after a prefilled answer, so interrupted answers are not continued.
  continuation: 'none',
  deltaTemplates: [new DeltaTemplate({ choices: [{ text: TEXT, stop_reason: null }] })],
};
