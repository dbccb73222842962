/**
 * Mistral chat completion (Mistral Large 2407, Pixtral), §4.5: OpenAI-like `messages`; chunks carry
 * `choices[0].message.content` pieces and the docs' `stop_reason` (stop|length|tool_calls).
 */
import { generationRequest } from './chat-transcript.js';
import { METRICS_KEY, responseId } from './invocation-metrics.js';
import { openAiTranscript } from './openai-messages.js';
import { readOpenAiToolResults, readOpenAiTools, toolCallDelta, wholeToolCalls } from '../tools/openai-tools.js';
import { allowKeys, expectObject, readNumber, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationStopReason } from './types.js';

const ALLOWED = new Set([
  'messages',
  'tools',
  'tool_choice',
  'max_tokens',
  'top_p',
  'temperature',
  'stop',
  'response_format',
]);
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const STOP_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  guardrail_intervened: 'stop',
};

export const mistralChat: FamilyHandler = {
  family: 'mistral-chat',
  streaming: true,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['messages']);
    const maxTokens = readNumber(body, 'max_tokens', { min: 1, max: 8192, integer: true });
    const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
    const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
    const stopSequences = readStringList(body, 'stop', { maxItems: 10, allowString: true });
    const { conversation, prefill, lastUserText } = openAiTranscript(body.messages, ROLES);
    return generationRequest({
      conversation,
      prefill,
      lastUserText,
      maxTokens: maxTokens ?? 8192,
      temperature: temperature ?? 0.7,
      topP: topP ?? 1,
      stopSequences,
      tools: readOpenAiTools(body.tools, body.tool_choice, { idStyle: 'mistral' }),
      toolResults: readOpenAiToolResults(body.messages),
    });
  },
  createStreamWriter(context) {
    const id = responseId('', context.requestId);
    let lastCall = -1;
    return {
      start: () => [],
      reasoning: () => [],
      toolUse(call, fragment) {
        const first = call.index !== lastCall;
        lastCall = call.index;
        // Mistral's stream carries `message` pieces (§4.5), so tool-call entries ride in `message` too.
        const message = { role: 'assistant', content: '', tool_calls: [toolCallDelta(call, fragment, first)] };
        return [{ id, object: 'chat.completion.chunk', choices: [{ index: 0, message, stop_reason: null }] }];
      },
      text: (delta) => [
        {
          id,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, message: { role: 'assistant', content: delta }, stop_reason: null }],
        },
      ],
      finish: (end) => [
        {
          id,
          object: 'chat.completion.chunk',
          choices: [
            { index: 0, message: { role: 'assistant', content: '' }, stop_reason: STOP_REASON[end.stopReason] },
          ],
          [METRICS_KEY]: end.metrics,
        },
      ],
    };
  },
  invokeResponse: (context, output) => ({
    id: responseId('', context.requestId),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: context.baseModelId,
    choices: [
      {
        index: 0,
        message:
          output.toolCalls.length === 0
            ? { role: 'assistant', content: output.text }
            : { role: 'assistant', content: output.text, tool_calls: wholeToolCalls(output.toolCalls) },
        stop_reason: STOP_REASON[output.end.stopReason],
      },
    ],
    usage: {
      prompt_tokens: output.end.inputTokens,
      completion_tokens: output.end.outputTokens,
      total_tokens: output.end.inputTokens + output.end.outputTokens,
    },
  }),
};
