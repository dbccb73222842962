/**
 * Mistral text completion (bedrock-wire.md §4.5): Mistral 7B, Mixtral, Mistral Large 2402, Small 2402.
 * `prompt` in the `<s>[INST] … [/INST]` template; chunks are `{"outputs":[{"text","stop_reason"}]}`.
 */
import { textOnly } from './content.js';
import { emitInvocationMetrics } from './bedrock-metrics.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
import { OPENAI_STYLE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(OPENAI_STYLE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);

interface MistralChunk {
  outputs?: { text?: string; stop_reason?: string | null }[];
}

function buildPrompt(request: NormalizedRequest): string {
  const { turns, prefill } = splitPrefill(request.messages);
  let prompt = '<s>';
  let system = request.system;
  for (const message of turns) {
    if (message.role === 'user') {
      // Mistral's template has no system role: the instructions lead the first user turn.
      const text = textOnly(message.content, "Mistral's prompt format");
      const content = system === undefined ? text : `${system}\n\n${text}`;
      system = undefined;
      prompt += `[INST] ${content} [/INST]`;
    } else {
      prompt += `${textOnly(message.content, "Mistral's prompt format")}</s>`;
    }
  }
  // A prefill follows the last [/INST] without </s>, so the model continues it.
  return prompt + (prefill ?? '');
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return withAdditional(request, {
    prompt: buildPrompt(request),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    top_k: request.topK,
    stop: stopList(request),
  });
}

function createChunkDecoder(): ChunkDecoder {
  return (raw, emit) => {
    const output = (raw as MistralChunk).outputs?.[0];
    if (output === undefined) {
      emitInvocationMetrics(raw, emit);
      return;
    }
    if (output.text) emit({ type: 'text', delta: output.text });
    if (output.stop_reason === undefined || output.stop_reason === null) return;
    emitStop(output.stop_reason, emit);
    emitInvocationMetrics(raw, emit);
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const output = (body as MistralChunk).outputs?.[0];
  if (output?.text) emit({ type: 'text', delta: output.text });
  emitStop(output?.stop_reason, emit);
}

export const mistralAdapter: ModelAdapter = {
  family: 'mistral',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  continuation: 'prefill',
  deltaTemplates: [new DeltaTemplate({ outputs: [{ text: TEXT, stop_reason: null }] })],
};
