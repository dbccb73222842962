/**
 * Amazon Titan Text (bedrock-wire.md §4.2): `inputText` in the `User: … / Bot:` chat style,
 * `textGenerationConfig`; chunks carry `outputText` and, at the end, `completionReason`.
 */
import { textOnly } from './content.js';
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { splitPrefill, stopList, withAdditional } from './request-fields.js';
import { stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, COUNT, INT, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper({
  FINISH: 'end_turn',
  FINISHED: 'end_turn',
  LENGTH: 'max_tokens',
  STOP_CRITERIA_MET: 'stop_sequence',
  CONTENT_FILTERED: 'content_filtered',
  RAG_QUERY_WHEN_RAG_DISABLED: 'other',
});
const emitStop = stopEmitter(mapStopReason);

interface TitanChunk {
  outputText?: string;
  completionReason?: string | null;
  inputTextTokenCount?: number | null;
  totalOutputTextTokenCount?: number | null;
}

interface TitanResponse {
  inputTextTokenCount?: number;
  results?: { tokenCount?: number; outputText?: string; completionReason?: string | null }[];
}

function buildPrompt(request: NormalizedRequest): string {
  const { turns, prefill } = splitPrefill(request.messages);
  // Titan Text has no system field: the instructions open the transcript.
  const lines: string[] = request.system === undefined ? [] : [request.system];
  for (const message of turns)
    lines.push(`${message.role === 'user' ? 'User' : 'Bot'}: ${textOnly(message.content, "Titan's prompt format")}`);
  lines.push(prefill === undefined ? 'Bot:' : `Bot: ${prefill}`);
  return lines.join('\n');
}

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return withAdditional(request, {
    inputText: buildPrompt(request),
    textGenerationConfig: {
      maxTokenCount: request.maxTokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.topP === undefined ? {} : { topP: request.topP }),
      ...(stopList(request) === undefined ? {} : { stopSequences: stopList(request) }),
    },
  });
}

function createChunkDecoder(): ChunkDecoder {
  let inputTokens: number | undefined;
  return (raw, emit) => {
    const chunk = raw as TitanChunk;
    if (chunk.outputText) emit({ type: 'text', delta: chunk.outputText });
    if (typeof chunk.inputTextTokenCount === 'number') inputTokens = chunk.inputTextTokenCount;
    if (chunk.completionReason === undefined || chunk.completionReason === null) return;
    emitStop(chunk.completionReason, emit);
    if (!emitInvocationMetrics(raw, emit)) {
      emitFamilyUsage(emit, inputTokens, chunk.totalOutputTextTokenCount ?? undefined);
    }
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as TitanResponse;
  const result = response.results?.[0];
  if (result?.outputText) emit({ type: 'text', delta: result.outputText });
  emitStop(result?.completionReason, emit);
  emitFamilyUsage(emit, response.inputTextTokenCount, result?.tokenCount);
}

export const titanAdapter: ModelAdapter = {
  family: 'titan',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // Titan completes raw text, so a partial `Bot:` line is simply continued.
  continuation: 'prefill',
  deltaTemplates: [
    new DeltaTemplate({
      outputText: TEXT,
      index: INT,
      totalOutputTextTokenCount: COUNT,
      completionReason: null,
      inputTextTokenCount: COUNT,
    }),
  ],
};
