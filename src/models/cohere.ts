/**
 * Cohere Command R / R+ (bedrock-wire.md §4.6): the last user turn is `message`, earlier turns `chat_history`
 * (USER/CHATBOT), the system prompt `preamble`. Stream: Cohere v1 chat events; only `text-generation` is text.
 */
import { randomUUID } from 'node:crypto';
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { cohereConversation, cohereToolCallId, cohereTools } from './cohere-tools.js';
import { ToolCallAssembler, emitWholeToolCall } from './tool-call-assembler.js';
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

interface CohereToolCall {
  name?: string;
  parameters?: unknown;
}

interface CohereChunk {
  event_type?: string;
  text?: string;
  generation_id?: string;
  finish_reason?: string | null;
  response?: BilledUnits & { tool_calls?: CohereToolCall[] | null };
  tool_call_delta?: { index?: number; name?: string | null; parameters?: string | null };
  tool_calls?: CohereToolCall[] | null;
}

interface CohereResponse extends BilledUnits {
  text?: string;
  generation_id?: string;
  finish_reason?: string | null;
  tool_calls?: CohereToolCall[] | null;
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  // Turns, tool calls and results in Command R's terms (cohere-tools.ts).
  const { message, chatHistory, toolResults } = cohereConversation(request.messages);
  return withAdditional(request, {
    message,
    chat_history: chatHistory,
    tools: cohereTools(request.tools),
    tool_results: toolResults,
    preamble: request.system,
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    p: request.topP,
    k: request.topK,
    stop_sequences: stopList(request),
  });
}

function createChunkDecoder(): ChunkDecoder {
  const toolCalls = new ToolCallAssembler();
  // v1 calls have no ids: ours are the generation id (from stream-start) and the call's position.
  let generationId: string | undefined;
  let callCount = 0;
  return (raw, emit) => {
    const chunk = raw as CohereChunk;
    switch (chunk.event_type) {
      case 'text-generation':
        if (chunk.text) emit({ type: 'text', delta: chunk.text });
        return;
      case 'stream-start':
        if (typeof chunk.generation_id === 'string') generationId = chunk.generation_id;
        return;
      case 'tool-calls-chunk': {
        // A call streams as a delta with its name, then deltas with parameter fragments.
        const delta = chunk.tool_call_delta;
        if (delta === undefined) return;
        const key = delta.index ?? 0;
        if (delta.name) {
          toolCalls.finish(key, emit);
          toolCalls.start(key, cohereToolCallId((generationId ??= randomUUID()), callCount++), delta.name, emit);
        }
        if (delta.parameters) toolCalls.delta(key, delta.parameters, emit);
        return;
      }
      case 'tool-calls-generation':
        // The calls whole: after tool-calls-chunk events it only confirms them.
        if (callCount === 0) callCount = emitWholeCohereCalls(chunk.tool_calls, (generationId ??= randomUUID()), emit);
        else toolCalls.finishAll(emit);
        return;
      case 'stream-end': {
        toolCalls.finishAll(emit);
        if (callCount === 0) {
          callCount = emitWholeCohereCalls(chunk.response?.tool_calls, (generationId ??= randomUUID()), emit);
        }
        emitCohereStop(chunk.finish_reason, callCount > 0, emit);
        const billed = chunk.response?.meta?.billed_units;
        if (!emitInvocationMetrics(raw, emit)) emitFamilyUsage(emit, billed?.input_tokens, billed?.output_tokens);
        return;
      }
      default:
        return; // citation-generation, search-results…
    }
  };
}

/** Complete calls (tool-calls-generation, or the response) as tool-call events; how many there were. */
function emitWholeCohereCalls(
  calls: readonly CohereToolCall[] | null | undefined,
  generationId: string,
  emit: ChunkEventSink,
): number {
  (calls ?? []).forEach((call, position) => {
    const id = cohereToolCallId(generationId, position);
    emitWholeToolCall({ id, name: call.name ?? '', input: call.parameters ?? {} }, emit);
  });
  return calls?.length ?? 0;
}

/** Command R finishes a tool-calling turn with COMPLETE; with calls made, that is a `tool_use` stop. */
function emitCohereStop(raw: string | null | undefined, calledTools: boolean, emit: ChunkEventSink): void {
  if (calledTools && raw === 'COMPLETE') emit({ type: 'stop', reason: 'tool_use', rawReason: raw });
  else emitStop(raw, emit);
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as CohereResponse;
  if (response.text) emit({ type: 'text', delta: response.text });
  const calls = emitWholeCohereCalls(response.tool_calls, response.generation_id ?? randomUUID(), emit);
  emitCohereStop(response.finish_reason, calls > 0, emit);
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
