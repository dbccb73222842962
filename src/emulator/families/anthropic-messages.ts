/**
 * Anthropic Claude Messages API on Bedrock (bedrock-wire.md §4.1): request validation with Bedrock's and
 * Anthropic's wording, the message_start … message_stop chunk sequence, and the InvokeModel body.
 */
import { BedrockServiceError, malformedInput } from '../bedrock-error.js';
import { contentText, generationRequest, transcript } from './chat-transcript.js';
import type { ChatTurn } from './chat-transcript.js';
import { METRICS_KEY, responseId } from './invocation-metrics.js';
import { allowKeys, expectObject, readArray, readNumber, readStringList, requireKeys } from './request-fields.js';
import type { JsonObject } from './request-fields.js';
import { checkMedia } from '../media.js';
import { claudeMediaItems } from '../media-blocks.js';
import { claudeCachePoints } from '../prompt-segments.js';
import { readClaudeToolResults, readClaudeTools } from '../tools/claude-tools.js';
import type { FamilyHandler, GenerationEnd, GenerationRequest, StreamChunkWriter, WriterContext } from './types.js';

const ALLOWED = new Set([
  'anthropic_version',
  'anthropic_beta',
  'max_tokens',
  'messages',
  'system',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'output_config',
]);

/** Largest max_tokens per model generation (Anthropic's model table); checked by name pattern. */
const MAX_OUTPUT: readonly [RegExp, number][] = [
  [/claude-3-(haiku|sonnet|opus)-/, 4096],
  [/claude-3-5-/, 8192],
  [/claude-opus-4-(2025|1-)/, 32000],
];
const DEFAULT_MAX_OUTPUT = 64000;

function maxOutputTokens(baseModelId: string): number {
  for (const [pattern, limit] of MAX_OUTPUT) if (pattern.test(baseModelId)) return limit;
  return DEFAULT_MAX_OUTPUT;
}

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

export function parseClaudeMessages(raw: unknown, baseModelId: string): GenerationRequest {
  const body = expectObject(raw);
  allowKeys(body, ALLOWED);
  requireKeys(body, ['anthropic_version', 'max_tokens', 'messages']);
  if (body.anthropic_version !== 'bedrock-2023-05-31') {
    throw malformedInput(`#/anthropic_version: ${String(body.anthropic_version)} is not a valid enum value`);
  }
  const maxTokens = readNumber(body, 'max_tokens', { min: 1, integer: true })!;
  const limit = maxOutputTokens(baseModelId);
  if (maxTokens > limit) {
    throw invalid(
      `max_tokens: ${maxTokens} > ${limit}, which is the maximum allowed number of output tokens for ${modelName(baseModelId)}`,
    );
  }
  const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
  const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
  const topK = readNumber(body, 'top_k', { min: 0, max: 500, integer: true });
  const stopSequences = readStringList(body, 'stop_sequences', { maxItems: 8191 });
  const reasoning = readThinking(body, maxTokens, temperature);
  const messages = readArray(body, 'messages')!;
  const turns = readTurns(messages);
  const tools = readClaudeTools(body.tools, body.tool_choice);
  const toolResults = readClaudeToolResults(messages);
  const media = claudeMediaItems(messages);
  const mediaTokens = media.length === 0 ? 0 : checkMedia(media);
  const system = typeof body.system === 'string' ? body.system : contentText(body.system);
  const { conversation, prefill, lastUserText } = transcript(system, turns);
  if (prefill !== undefined && reasoning) throw invalid(thinkingPrefillError(turns.length - 1));
  if (prefill !== undefined && /\s$/.test(prefill)) {
    throw invalid('messages: final assistant content cannot end with trailing whitespace');
  }
  return generationRequest({
    conversation,
    prefill,
    lastUserText,
    maxTokens,
    temperature: temperature ?? 1,
    topP,
    topK,
    stopSequences,
    reasoning,
    tools,
    toolResults,
    mediaTokens,
    cachePoints: claudeCachePoints(body),
  });
}

function readTurns(messages: unknown[]): ChatTurn[] {
  if (messages.length === 0) throw invalid('messages: at least one message is required');
  return messages.map((raw, i) => {
    const message = expectObject(raw, `#/messages/${i}`);
    requireKeys(message, ['role', 'content'], `#/messages/${i}`);
    const role = message.role;
    if (role !== 'user' && role !== 'assistant') {
      throw malformedInput(`#/messages/${i}/role: ${String(role)} is not a valid enum value`);
    }
    if (i === 0 && role !== 'user') throw invalid('messages: first message must use the "user" role');
    const previous = i > 0 ? (messages[i - 1] as JsonObject).role : undefined;
    if (previous === role) {
      throw invalid(
        `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`,
      );
    }
    return { role, text: contentText(message.content) };
  });
}

/** Claude refuses a final assistant turn (prefill) that does not start with a thinking block when thinking is on. */
export function thinkingPrefillError(index: number): string {
  return (
    `messages.${index}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`text\`. ` +
    'When `thinking` is enabled, a final `assistant` message must start with a thinking block. ' +
    'To avoid this requirement, disable `thinking`.'
  );
}

/** `thinking: {type: 'enabled', budget_tokens}` (or adaptive) turns reasoning on. */
function readThinking(body: JsonObject, maxTokens: number, temperature: number | undefined): boolean {
  if (body.thinking === undefined) return false;
  const thinking = expectObject(body.thinking, '#/thinking');
  if (thinking.type === 'disabled') return false;
  if (thinking.type === 'adaptive') return true;
  if (thinking.type !== 'enabled')
    throw malformedInput(`#/thinking/type: ${String(thinking.type)} is not a valid enum value`);
  requireKeys(thinking, ['budget_tokens'], '#/thinking');
  const budget = readNumber(thinking, 'budget_tokens', { integer: true }, '#/thinking')!;
  if (budget < 1024) throw invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
  if (maxTokens <= budget) throw invalid('`max_tokens` must be greater than `thinking.budget_tokens`');
  if (temperature !== undefined && temperature !== 1) {
    throw invalid('`temperature` may only be set to 1 when thinking is enabled');
  }
  return true;
}

/** `anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku-20241022`, as Claude reports its model. */
function modelName(baseModelId: string): string {
  return baseModelId.replace(/^anthropic\./, '').replace(/-v\d+(:\d+)?$/, '');
}

/** Claude has no guardrail stop reason: Bedrock reports the intervention beside an `end_turn`. */
function claudeStopReason(reason: GenerationEnd['stopReason']): string {
  return reason === 'guardrail_intervened' ? 'end_turn' : reason;
}

function signature(requestId: string): string {
  return Buffer.from(`emulated-thinking-signature:${requestId}`).toString('base64');
}

function createWriter(context: WriterContext): StreamChunkWriter {
  let index = -1;
  let open: 'thinking' | 'text' | 'tool' | undefined;
  let openCall = -1;
  const closeThinking = (chunks: object[]): void => {
    chunks.push(
      {
        type: 'content_block_delta',
        index,
        delta: { type: 'signature_delta', signature: signature(context.requestId) },
      },
      { type: 'content_block_stop', index },
    );
    open = undefined;
  };
  return {
    start: () => [
      {
        type: 'message_start',
        message: {
          id: responseId('msg_bdrk_', context.requestId),
          type: 'message',
          role: 'assistant',
          model: modelName(context.baseModelId),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: context.inputTokens,
            cache_creation_input_tokens: context.cache?.write ?? 0,
            cache_read_input_tokens: context.cache?.read ?? 0,
            output_tokens: 1,
          },
        },
      },
    ],
    reasoning(delta) {
      if (open === 'thinking')
        return [{ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: delta } }];
      open = 'thinking';
      index++;
      return [
        { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } },
        { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: delta } },
      ];
    },
    text(delta) {
      if (open === 'text') return [{ type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta } }];
      const chunks: object[] = [];
      if (open === 'thinking') closeThinking(chunks);
      open = 'text';
      index++;
      chunks.push(
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta } },
      );
      return chunks;
    },
    toolUse(call, fragment) {
      const chunks: object[] = [];
      if (call.index !== openCall) {
        if (open === 'thinking') closeThinking(chunks);
        else if (open !== undefined) chunks.push({ type: 'content_block_stop', index });
        open = 'tool';
        openCall = call.index;
        index++;
        // Claude opens a tool_use block with empty input and an empty first input_json_delta.
        chunks.push(
          {
            type: 'content_block_start',
            index,
            content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
          },
          { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } },
        );
      }
      chunks.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } });
      return chunks;
    },
    finish(end: GenerationEnd) {
      const chunks: object[] = [];
      if (open === 'thinking') closeThinking(chunks);
      else if (open !== undefined) chunks.push({ type: 'content_block_stop', index });
      else if (index < 0) {
        chunks.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
        chunks.push({ type: 'content_block_stop', index: 0 });
      }
      chunks.push(
        {
          type: 'message_delta',
          delta: { stop_reason: claudeStopReason(end.stopReason), stop_sequence: end.stopSequence ?? null },
          usage: { output_tokens: end.outputTokens },
        },
        { type: 'message_stop', [METRICS_KEY]: end.metrics },
      );
      return chunks;
    },
  };
}

export const anthropicMessages: FamilyHandler = {
  family: 'anthropic-messages',
  streaming: true,
  parseInvokeRequest: (body, context) => parseClaudeMessages(body, context.baseModelId),
  createStreamWriter: createWriter,
  invokeResponse(context, output) {
    const content: object[] = [];
    if (output.reasoning !== '') {
      content.push({ type: 'thinking', thinking: output.reasoning, signature: signature(context.requestId) });
    }
    if (output.text !== '' || output.toolCalls.length === 0) content.push({ type: 'text', text: output.text });
    for (const call of output.toolCalls)
      content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
    return {
      id: responseId('msg_bdrk_', context.requestId),
      type: 'message',
      role: 'assistant',
      model: modelName(context.baseModelId),
      content,
      stop_reason: claudeStopReason(output.end.stopReason),
      stop_sequence: output.end.stopSequence ?? null,
      usage: {
        input_tokens: output.end.inputTokens,
        cache_creation_input_tokens: output.end.cache?.write ?? 0,
        cache_read_input_tokens: output.end.cache?.read ?? 0,
        output_tokens: output.end.outputTokens,
      },
    };
  },
};
