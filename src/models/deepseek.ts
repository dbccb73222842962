/**
 * DeepSeek R1 (bedrock-wire.md §4.8): `prompt` in the R1 template ending in `<think>\n`, so the output opens
 * with reasoning that ends at `</think>`; chunks are `{"choices":[{"text","stop_reason"}]}`. A resume
 * writes the reasoning so far, `</think>` and the partial answer after that, so the model continues the
 * answer and the stream starts in it.
 */
import { textOnly } from './content.js';
import { emitInvocationMetrics } from './bedrock-metrics.js';
import { createReasoningTagSplitter, type ReasoningTagSplitter } from './reasoning-tags.js';
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
        ? `<｜User｜>${textOnly(message.content, "DeepSeek R1's prompt format")}`
        : `<｜Assistant｜>${textOnly(message.content, "DeepSeek R1's prompt format")}<｜end▁of▁sentence｜>`;
  }
  prompt += '<｜Assistant｜><think>\n';
  const continues = request.continues;
  // The model's own layout: reasoning, `\n</think>\n\n`, the answer (whose thinking already happened).
  return continues === undefined ? prompt : `${prompt}${continues.reasoning.trimEnd()}\n</think>\n\n${continues.text}`;
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

/** A continuation's stream is answer text only: nothing to split. */
const ANSWER_ONLY: ReasoningTagSplitter = {
  push: (text, emit) => emit({ type: 'text', delta: text }),
  flush: () => undefined,
};

function createChunkDecoder(request?: NormalizedRequest): ChunkDecoder {
  // The prompt opened <think>, so the stream starts inside the reasoning; a continuation's, in the answer.
  const splitter =
    request?.continues === undefined ? createReasoningTagSplitter('<think>', '</think>', true) : ANSWER_ONLY;
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
  // A continuation closes the think block in the prompt (buildPrompt), so the model resumes the answer.
  continuation: 'prompt',
  deltaTemplates: [new DeltaTemplate({ choices: [{ text: TEXT, stop_reason: null }] })],
};
