/**
 * Meta Llama 3 and later (bedrock-wire.md §4.4): `prompt` in the Llama 3 chat template, `max_gen_len`;
 * chunks carry `generation`, `prompt_token_count` (first chunk), cumulative `generation_token_count`.
 */
import { textOnly, type ContentPart } from './content.js';
import { mediaBase64 } from './media-parts.js';
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { splitPrefill, withAdditional } from './request-fields.js';
import { OPENAI_STYLE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, COUNT, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(OPENAI_STYLE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);

interface LlamaChunk {
  generation?: string;
  prompt_token_count?: number | null;
  generation_token_count?: number | null;
  stop_reason?: string | null;
}

function turn(role: string, content: string): string {
  return `<|start_header_id|>${role}<|end_header_id|>\n\n${content}<|eot_id|>`;
}

/**
 * A turn's text; an image part (Llama 3.2 vision and Llama 4, checked by media-support.ts) becomes the
 * template's `<|image|>` marker and its base64 goes to the body's `images`, in order.
 */
function turnText(content: string | readonly ContentPart[], images: string[]): string {
  if (typeof content === 'string' || !content.some((part) => part.type === 'image')) {
    return textOnly(content, "Llama's prompt format");
  }
  let text = '';
  for (const part of content) {
    if (part.type === 'image') {
      text += '<|image|>';
      images.push(mediaBase64(part.data));
    } else text += textOnly([part], "Llama's prompt format");
  }
  return text;
}

function buildPrompt(request: NormalizedRequest, images: string[]): string {
  const { turns, prefill } = splitPrefill(request.messages);
  let prompt = '<|begin_of_text|>';
  if (request.system !== undefined) prompt += turn('system', request.system);
  for (const message of turns) prompt += turn(message.role, turnText(message.content, images));
  // The open assistant header; a prefill goes after it without <|eot_id|>, so the model continues it.
  return prompt + '<|start_header_id|>assistant<|end_header_id|>\n\n' + (prefill ?? '');
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  const images: string[] = [];
  // Llama on Bedrock takes no top_k and no stop sequences.
  return withAdditional(request, {
    prompt: buildPrompt(request, images),
    images: images.length === 0 ? undefined : images,
    max_gen_len: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
  });
}

function createChunkDecoder(): ChunkDecoder {
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  return (raw, emit) => {
    const chunk = raw as LlamaChunk;
    if (chunk.generation) emit({ type: 'text', delta: chunk.generation });
    if (typeof chunk.prompt_token_count === 'number') inputTokens = chunk.prompt_token_count;
    if (typeof chunk.generation_token_count === 'number') outputTokens = chunk.generation_token_count;
    if (chunk.stop_reason === undefined || chunk.stop_reason === null) return;
    emitStop(chunk.stop_reason, emit);
    if (!emitInvocationMetrics(raw, emit)) emitFamilyUsage(emit, inputTokens, outputTokens);
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as LlamaChunk;
  if (response.generation) emit({ type: 'text', delta: response.generation });
  emitStop(response.stop_reason, emit);
  emitFamilyUsage(emit, response.prompt_token_count ?? undefined, response.generation_token_count ?? undefined);
}

export const llamaAdapter: ModelAdapter = {
  family: 'llama',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  continuation: 'prefill',
  deltaTemplates: [
    new DeltaTemplate({
      generation: TEXT,
      prompt_token_count: COUNT,
      generation_token_count: COUNT,
      stop_reason: null,
    }),
  ],
};
