/**
 * Cohere Command R / R+, §4.6: `message` + `chat_history` + `preamble`; chunks follow Cohere's v1 chat
 * stream: stream-start, text-generation…, stream-end with `finish_reason` and the full `response`.
 */
import { malformedInput } from '../bedrock-error.js';
import { generationRequest, transcript } from './chat-transcript.js';
import type { ChatTurn } from './chat-transcript.js';
import { METRICS_KEY, responseId } from './invocation-metrics.js';
import {
  allowKeys,
  expectObject,
  readArray,
  readNumber,
  readString,
  readStringList,
  requireKeys,
} from './request-fields.js';
import { readCohereToolResults, readCohereTools } from '../tools/cohere-tools.js';
import type { CompletedToolCall } from '../tools/tool-types.js';
import type { FamilyHandler, GenerationEnd, GenerationStopReason, WriterContext } from './types.js';

const ALLOWED = new Set([
  'message',
  'chat_history',
  'documents',
  'search_queries_only',
  'preamble',
  'max_tokens',
  'temperature',
  'p',
  'k',
  'prompt_truncation',
  'frequency_penalty',
  'presence_penalty',
  'seed',
  'return_prompt',
  'tools',
  'tool_results',
  'stop_sequences',
  'raw_prompting',
]);
const FINISH_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'COMPLETE',
  max_tokens: 'MAX_TOKENS',
  stop_sequence: 'STOP_SEQUENCE',
  tool_use: 'COMPLETE',
  guardrail_intervened: 'COMPLETE',
};

function history(raw: unknown[]): { system: string; turns: ChatTurn[] } {
  const system: string[] = [];
  const turns: ChatTurn[] = [];
  raw.forEach((item, i) => {
    const entry = expectObject(item, `#/chat_history/${i}`);
    const role = entry.role;
    if (role !== 'USER' && role !== 'CHATBOT' && role !== 'SYSTEM') {
      throw malformedInput(`#/chat_history/${i}/role: ${String(role)} is not a valid enum value`);
    }
    const text = typeof entry.message === 'string' ? entry.message : '';
    if (role === 'SYSTEM') system.push(text);
    else turns.push({ role: role === 'USER' ? 'user' : 'assistant', text });
  });
  return { system: system.join('\n'), turns };
}

function cohereCalls(calls: readonly CompletedToolCall[]): object[] {
  return calls.map((call) => ({ name: call.name, parameters: call.input }));
}

function response(context: WriterContext, text: string, end: GenerationEnd, calls: CompletedToolCall[] = []): object {
  const id = responseId('', context.requestId);
  return {
    response_id: id,
    text,
    generation_id: id,
    chat_history: [],
    ...(calls.length === 0 ? {} : { tool_calls: cohereCalls(calls) }),
    finish_reason: FINISH_REASON[end.stopReason],
    meta: {
      api_version: { version: '1' },
      billed_units: { input_tokens: end.inputTokens, output_tokens: end.outputTokens },
      tokens: { input_tokens: end.inputTokens, output_tokens: end.outputTokens },
    },
  };
}

export const cohereR: FamilyHandler = {
  family: 'cohere-r',
  streaming: true,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['message']);
    const message = readString(body, 'message')!;
    const preamble = readString(body, 'preamble') ?? '';
    const maxTokens = readNumber(body, 'max_tokens', { min: 1, max: 4000, integer: true });
    const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
    const topP = readNumber(body, 'p', { min: 0.01, max: 0.99 });
    const topK = readNumber(body, 'k', { min: 0, max: 500, integer: true });
    const stopSequences = readStringList(body, 'stop_sequences', { maxItems: 4 });
    const past = history(readArray(body, 'chat_history') ?? []);
    const system = [preamble, past.system].filter((part) => part !== '').join('\n');
    // Cohere has no assistant prefill: the user message is always the last turn.
    const { conversation, lastUserText } = transcript(system, [...past.turns, { role: 'user', text: message }]);
    return generationRequest({
      conversation,
      lastUserText,
      maxTokens: maxTokens ?? 4000,
      temperature: temperature ?? 0.3,
      topP: topP ?? 0.75,
      topK,
      stopSequences,
      tools: readCohereTools(body.tools),
      toolResults: readCohereToolResults(body.tool_results),
    });
  },
  createStreamWriter(context) {
    const parts: string[] = [];
    const calls: CompletedToolCall[] = [];
    return {
      toolUse(call, fragment) {
        const chunks: object[] = [];
        if (calls[call.index] === undefined) {
          calls[call.index] = { id: call.id, name: call.name, input: {}, json: '' };
          chunks.push({
            is_finished: false,
            event_type: 'tool-calls-chunk',
            tool_call_delta: { index: call.index, name: call.name },
          });
        }
        calls[call.index]!.json += fragment;
        chunks.push({
          is_finished: false,
          event_type: 'tool-calls-chunk',
          tool_call_delta: { index: call.index, parameters: fragment },
        });
        return chunks;
      },
      start: () => [
        { is_finished: false, event_type: 'stream-start', generation_id: responseId('', context.requestId) },
      ],
      reasoning: () => [],
      text(delta) {
        parts.push(delta);
        return [{ is_finished: false, event_type: 'text-generation', text: delta }];
      },
      finish(end) {
        for (const call of calls) call.input = JSON.parse(call.json) as unknown;
        const chunks: object[] = [];
        if (calls.length > 0) {
          chunks.push({
            is_finished: false,
            event_type: 'tool-calls-generation',
            text: parts.join(''),
            tool_calls: cohereCalls(calls),
          });
        }
        chunks.push({
          is_finished: true,
          event_type: 'stream-end',
          finish_reason: FINISH_REASON[end.stopReason],
          response: response(context, parts.join(''), end, calls),
          [METRICS_KEY]: end.metrics,
        });
        return chunks;
      },
    };
  },
  invokeResponse: (context, output) => response(context, output.text, output.end, output.toolCalls),
};
