/**
 * Cohere Command R / R+ (bedrock-wire.md §4.6): the last user turn is `message`, earlier turns `chat_history`
 * (USER/CHATBOT), the system prompt `preamble`. Stream: Cohere v1 chat events; only `text-generation` is text.
 */
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { stopList, withAdditional } from './request-fields.js';
import { stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper({
  COMPLETE: 'end_turn',
  MAX_TOKENS: 'max_tokens',
  STOP_SEQUENCE: 'stop_sequence',
  ERROR: 'error',
  ERROR_TOXIC: 'content_filtered',
  ERROR_LIMIT: 'context_window_exceeded',
  USER_CANCEL: 'aborted',
});
const emitStop = stopEmitter(mapStopReason);

interface BilledUnits {
  meta?: { billed_units?: { input_tokens?: number; output_tokens?: number } };
}

interface CohereChunk {
  event_type?: string;
  text?: string;
  finish_reason?: string | null;
  response?: BilledUnits;
}

interface CohereResponse extends BilledUnits {
  text?: string;
  finish_reason?: string | null;
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  // Everything after the last user turn is dropped: Cohere chat answers `message` and cannot be prefilled.
  let last = request.messages.length - 1;
  while (last >= 0 && request.messages[last]!.role !== 'user') last--;
  const history = request.messages.slice(0, Math.max(last, 0)).map((m) => ({
    role: m.role === 'user' ? 'USER' : 'CHATBOT',
    message: m.content,
  }));
  return withAdditional(request, {
    message: last >= 0 ? request.messages[last]!.content : '',
    chat_history: history.length === 0 ? undefined : history,
    preamble: request.system,
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    p: request.topP,
    k: request.topK,
    stop_sequences: stopList(request),
  });
}

function createChunkDecoder(): ChunkDecoder {
  return (raw, emit) => {
    const chunk = raw as CohereChunk;
    switch (chunk.event_type) {
      case 'text-generation':
        if (chunk.text) emit({ type: 'text', delta: chunk.text });
        return;
      case 'stream-end': {
        emitStop(chunk.finish_reason, emit);
        const billed = chunk.response?.meta?.billed_units;
        if (!emitInvocationMetrics(raw, emit)) emitFamilyUsage(emit, billed?.input_tokens, billed?.output_tokens);
        return;
      }
      default:
        return; // stream-start, tool-calls-generation, citation-generation, search-results…
    }
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as CohereResponse;
  if (response.text) emit({ type: 'text', delta: response.text });
  emitStop(response.finish_reason, emit);
  const billed = response.meta?.billed_units;
  emitFamilyUsage(emit, billed?.input_tokens, billed?.output_tokens);
}

export const cohereAdapter: ModelAdapter = {
  family: 'cohere',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // Command R answers the user `message`; it has no assistant prefill, so interrupted answers are not continued.
  continuation: 'none',
  deltaTemplates: [new DeltaTemplate({ is_finished: false, event_type: 'text-generation', text: TEXT })],
};
