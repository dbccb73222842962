/**
 * OpenAI gpt-oss (bedrock-wire.md §4.9): an OpenAI Chat Completions body; `chat.completion.chunk` stream.
 * Reasoning arrives as `delta.reasoning_content`/`delta.reasoning`, or inline in `<reasoning>…</reasoning>`
 * tags ahead of the answer (as InvokeModel returns it); both become reasoning events.
 */
import { chatCompletionBody, emitChunkUsage, emitWholeChatToolCalls, finishOf } from './openai-style.js';
import { decodeChatToolCalls } from './openai-style-tools.js';
import { ToolCallAssembler } from './tool-call-assembler.js';
import type { OpenAiStyleChunk } from './openai-style.js';
import { createReasoningTagSplitter } from './reasoning-tags.js';
import { emitFamilyUsage } from './bedrock-metrics.js';
import { OPENAI_STYLE_STOP_REASONS, stopEmitter, stopReasonMapper } from './stop-reason.js';
import type { ChunkDecoder, ChunkEventSink, ModelAdapter, NormalizedRequest } from './types.js';
import { DeltaTemplate, INT, SKIPPED, TEXT } from './delta-template.js';

const mapStopReason = stopReasonMapper(OPENAI_STYLE_STOP_REASONS);
const emitStop = stopEmitter(mapStopReason);
const OPEN = '<reasoning>';
const CLOSE = '</reasoning>';

function buildRequest(request: NormalizedRequest): Record<string, unknown> {
  return chatCompletionBody(request, 'developer', 'max_completion_tokens');
}

function createChunkDecoder(): ChunkDecoder {
  const splitter = createReasoningTagSplitter(OPEN, CLOSE, false);
  const toolCalls = new ToolCallAssembler();
  return (raw, emit) => {
    const chunk = raw as OpenAiStyleChunk;
    const choice = chunk.choices?.[0];
    if (choice !== undefined) {
      const delta = choice.delta;
      const reasoning = delta?.reasoning_content ?? delta?.reasoning;
      if (reasoning) emit({ type: 'reasoning', delta: reasoning });
      if (delta?.content) splitter.push(delta.content, emit);
      else if (delta?.tool_calls) decodeChatToolCalls(delta.tool_calls, toolCalls, emit);
      const finish = finishOf(choice);
      if (finish === undefined || finish === null) return;
      splitter.flush(emit);
      toolCalls.finishAll(emit);
      emitStop(finish, emit);
    }
    emitChunkUsage(raw, emit);
  };
}

function decodeResponse(body: Record<string, unknown>, emit: ChunkEventSink): void {
  const response = body as OpenAiStyleChunk;
  const choice = response.choices?.[0];
  const reasoning = choice?.message?.reasoning_content;
  if (reasoning) emit({ type: 'reasoning', delta: reasoning });
  if (choice?.message?.content) {
    const splitter = createReasoningTagSplitter(OPEN, CLOSE, false);
    splitter.push(choice.message.content, emit);
    splitter.flush(emit);
  }
  emitWholeChatToolCalls(choice?.message?.tool_calls, emit);
  emitStop(choice === undefined ? undefined : finishOf(choice), emit);
  if (response.usage) emitFamilyUsage(emit, response.usage.prompt_tokens, response.usage.completion_tokens);
}

export const openaiAdapter: ModelAdapter = {
  family: 'openai',
  buildRequest,
  createChunkDecoder,
  decodeResponse,
  mapStopReason,
  // gpt-oss renders a trailing assistant message as a finished turn (harmony format), not as a prefix.
  continuation: 'none',
  // chat.completion.chunk objects, with or without the `logprobs` null OpenAI-compatible servers write.
  deltaTemplates: [false, true].map(
    (logprobs) =>
      new DeltaTemplate({
        id: SKIPPED,
        object: 'chat.completion.chunk',
        created: INT,
        model: SKIPPED,
        service_tier: SKIPPED,
        choices: [
          logprobs
            ? { index: INT, delta: { content: TEXT }, logprobs: null, finish_reason: null }
            : { index: INT, delta: { content: TEXT }, finish_reason: null },
        ],
      }),
  ),
};
