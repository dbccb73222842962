/**
 * Cohere legacy Command (bedrock-wire.md §4.6): `cohere.command-text-v14`, `command-light-text-v14`. A raw
 * `prompt`; stream chunks carry `text` (or `generations[0].text`), `is_finished` and a final `finish_reason`.
 */
import { textOnly } from './content.js';
import { emitInvocationMetrics } from './bedrock-metrics.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
import { stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, INT, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper({
  COMPLETE: 'end_turn',
  MAX_TOKENS: 'max_tokens',
  STOP_SEQUENCE: 'stop_sequence',
  ERROR: 'error',
  ERROR_TOXIC: 'content_filtered',
  ERROR_LIMIT: 'context_window_exceeded',
});
const emitStop = stopEmitter(mapStopReason);

interface Generation {
  text?: string;
  finish_reason?: string | null;
}

interface CommandChunk extends Generation {
  is_finished?: boolean;
  generations?: Generation[];
}

function buildPrompt(request: NormalizedRequest): string {
  const { turns, prefill } = splitPrefill(request.messages);
  const lines: string[] = request.system === undefined ? [] : [request.system, ''];
  for (const message of turns)
    lines.push(
      `${message.role === 'user' ? 'User' : 'Chatbot'}: ${textOnly(message.content, "Cohere Command's prompt format")}`,
    );
  lines.push(prefill === undefined ? 'Chatbot:' : `Chatbot: ${prefill}`);
  return lines.join('\n');
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return withAdditional(request, {
    prompt: buildPrompt(request),
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    p: request.topP,
    k: request.topK,
    stop_sequences: stopList(request),
  });
}

function createChunkDecoder(): ChunkDecoder {
  return (raw, emit) => {
    const chunk = raw as CommandChunk;
    const generation = chunk.generations?.[0] ?? chunk;
    if (generation.text && chunk.is_finished !== true) emit({ type: 'text', delta: generation.text });
    const finish = generation.finish_reason ?? chunk.finish_reason;
    if (chunk.is_finished !== true && (finish === undefined || finish === null)) return;
    emitStop(finish, emit);
    emitInvocationMetrics(raw, emit);
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const generation = (body as CommandChunk).generations?.[0];
  if (generation?.text) emit({ type: 'text', delta: generation.text });
  emitStop(generation?.finish_reason, emit);
}

export const cohereCommandAdapter: ModelAdapter = {
  family: 'cohere-command',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // A raw completion model: the partial `Chatbot:` line is simply continued.
  continuation: 'prefill',
  // The exact chunk shape is unverified (bedrock-wire.md §4.6): with and without the generation index.
  deltaTemplates: [
    new DeltaTemplate({ text: TEXT, is_finished: false }),
    new DeltaTemplate({ text: TEXT, is_finished: false, index: INT }),
  ],
};
