/**
 * Stop-reason mapping (bedrock-wire.md §4.10): each family maps its own vocabulary to the unified StopReason
 * and keeps the raw value beside it. Unknown values map to `other`, never to an error.
 */
import type { StopReason } from '../client/stream-event.js';
import type { ChunkEventSink, MappedStopReason } from './types.js';

export function stopReasonMapper(
  table: Readonly<Record<string, StopReason>>,
): (raw: string | null | undefined) => MappedStopReason {
  return (raw) => {
    if (raw === null || raw === undefined) return { unified: 'other', raw: null };
    return { unified: Object.hasOwn(table, raw) ? table[raw]! : 'other', raw };
  };
}

/** Emits the stop event for a family's raw stop reason (mapped with that family's mapper). */
export function stopEmitter(
  map: (raw: string | null | undefined) => MappedStopReason,
): (raw: string | null | undefined, emit: ChunkEventSink) => void {
  return (raw, emit) => {
    const mapped = map(raw);
    emit({ type: 'stop', reason: mapped.unified, rawReason: mapped.raw });
  };
}

/** Converse's StopReason enum, also spoken by Nova's native stream. */
export const CONVERSE_STOP_REASONS: Readonly<Record<string, StopReason>> = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  guardrail_intervened: 'guardrail_intervened',
  content_filtered: 'content_filtered',
  malformed_model_output: 'error',
  malformed_tool_use: 'error',
  model_context_window_exceeded: 'context_window_exceeded',
};

/** `stop`/`length` vocabularies (Llama, Mistral, DeepSeek, OpenAI-style). */
export const OPENAI_STYLE_STOP_REASONS: Readonly<Record<string, StopReason>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'content_filtered',
};
