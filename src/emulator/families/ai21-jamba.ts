/**
 * AI21 Jamba 1.5 Mini/Large and Jamba Instruct, §4.7: OpenAI-style request and `choices[0].delta` chunks;
 * the Bedrock metrics come in a separate trailing chunk after the one with `finish_reason`.
 */
import { generationRequest } from './chat-transcript.js';
import { METRICS_KEY, responseId } from './invocation-metrics.js';
import { openAiTranscript } from './openai-messages.js';
import { readOpenAiToolResults, readOpenAiTools, toolCallDelta, wholeToolCalls } from '../tools/openai-tools.js';
import { allowKeys, expectObject, readNumber, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationStopReason } from './types.js';

const ALLOWED = new Set([
  'messages',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'n',
  'frequency_penalty',
  'presence_penalty',
  'tools',
  'response_format',
  'documents',
]);
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const FINISH_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  guardrail_intervened: 'stop',
};

export const ai21Jamba: FamilyHandler = {
  family: 'ai21-jamba',
  streaming: true,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['messages']);
    const maxTokens = readNumber(body, 'max_tokens', { min: 0, max: 4096, integer: true });
    const temperature = readNumber(body, 'temperature', { min: 0, max: 2 });
    const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
    readNumber(body, 'n', { min: 1, max: 16, integer: true });
    const stopSequences = readStringList(body, 'stop', { allowString: true });
    const { conversation, prefill, lastUserText } = openAiTranscript(body.messages, ROLES);
    return generationRequest({
      conversation,
      prefill,
      lastUserText,
      maxTokens: maxTokens ?? 4096,
      temperature: temperature ?? 1,
      topP: topP ?? 1,
      stopSequences,
      tools: readOpenAiTools(body.tools, undefined, { idStyle: 'openai' }),
      toolResults: readOpenAiToolResults(body.messages),
    });
  },
  createStreamWriter(context) {
    const id = responseId('chat-', context.requestId);
    let lastCall = -1;
    return {
      toolUse(call, fragment) {
        const first = call.index !== lastCall;
        lastCall = call.index;
        const delta = { tool_calls: [toolCallDelta(call, fragment, first)] };
        return [{ id, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], usage: null }];
      },
      start: () => [
        {
          id,
          choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
          usage: null,
        },
      ],
      reasoning: () => [],
      text: (delta) => [
        { id, choices: [{ index: 0, delta: { content: delta }, logprobs: null, finish_reason: null }], usage: null },
      ],
      finish: (end) => [
        {
          id,
          choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: FINISH_REASON[end.stopReason] }],
          usage: {
            prompt_tokens: end.inputTokens,
            completion_tokens: end.outputTokens,
            total_tokens: end.inputTokens + end.outputTokens,
          },
        },
        { [METRICS_KEY]: end.metrics },
      ],
    };
  },
  invokeResponse: (context, output) => ({
    id: responseId('chat-', context.requestId),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: output.text,
          tool_calls: output.toolCalls.length === 0 ? null : wholeToolCalls(output.toolCalls),
        },
        finish_reason: FINISH_REASON[output.end.stopReason],
      },
    ],
    usage: {
      prompt_tokens: output.end.inputTokens,
      completion_tokens: output.end.outputTokens,
      total_tokens: output.end.inputTokens + output.end.outputTokens,
    },
    meta: { requestDurationMillis: output.end.metrics.invocationLatency },
    model: context.baseModelId.replace(/^ai21\./, '').replace(/-v\d+(:\d+)?$/, ''),
  }),
};
