/**
 * OpenAI gpt-oss 20b/120b, §4.9: a Chat Completions body; `chat.completion.chunk` objects. The model
 * always reasons; as the docs describe for InvokeModel, the reasoning is carried in the content inside
 * `<reasoning>…</reasoning>` tags (streamed the same way), and the last chunk has an empty delta,
 * `finish_reason` and the metrics.
 */
import { BedrockServiceError } from '../bedrock-error.js';
import { generationRequest } from './chat-transcript.js';
import { METRICS_KEY, responseId } from './invocation-metrics.js';
import { openAiTranscript } from './openai-messages.js';
import { readOpenAiToolResults, readOpenAiTools, toolCallDelta, wholeToolCalls } from '../tools/openai-tools.js';
import { allowKeys, expectObject, readEnum, readNumber, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationStopReason } from './types.js';

const ALLOWED = new Set([
  'messages',
  'model',
  'stream',
  'stream_options',
  'max_completion_tokens',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'reasoning_effort',
  'tools',
  'tool_choice',
  'n',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'response_format',
  'parallel_tool_calls',
]);
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);
const FINISH_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop',
  tool_use: 'tool_calls',
  guardrail_intervened: 'stop',
};
export const REASONING_OPEN = '<reasoning>';
export const REASONING_CLOSE = '</reasoning>';

export const openAiGptOss: FamilyHandler = {
  family: 'openai-gpt-oss',
  streaming: true,
  parseInvokeRequest(raw, context) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['messages']);
    if (body.model !== undefined && body.model !== context.baseModelId) {
      throw new BedrockServiceError(
        'ValidationException',
        `The model '${String(body.model)}' in the request body does not match the model ID '${context.baseModelId}' in the request path.`,
      );
    }
    const limits = { min: 1, max: 128000, integer: true };
    const maxTokens = readNumber(body, 'max_completion_tokens', limits) ?? readNumber(body, 'max_tokens', limits);
    const temperature = readNumber(body, 'temperature', { min: 0, max: 2 });
    const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
    const stopSequences = readStringList(body, 'stop', { maxItems: 4, allowString: true });
    readEnum(body, 'reasoning_effort', ['low', 'medium', 'high']);
    const { conversation, prefill, lastUserText } = openAiTranscript(body.messages, ROLES);
    return generationRequest({
      conversation,
      prefill,
      lastUserText,
      maxTokens: maxTokens ?? 4096,
      temperature: temperature ?? 1,
      topP: topP ?? 1,
      stopSequences,
      reasoning: true,
      tools: readOpenAiTools(body.tools, body.tool_choice, { idStyle: 'openai', parallel: body.parallel_tool_calls }),
      toolResults: readOpenAiToolResults(body.messages),
    });
  },
  createStreamWriter(context) {
    const id = responseId('chatcmpl-', context.requestId);
    const created = Math.floor(Date.now() / 1000);
    const model = context.baseModelId;
    let inReasoning = false;
    let lastCall = -1;
    const chunk = (delta: object, finishReason: string | null): Record<string, unknown> => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      service_tier: 'auto',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
    return {
      start: () => [chunk({ role: 'assistant', content: '' }, null)],
      reasoning(delta) {
        if (inReasoning) return [chunk({ content: delta }, null)];
        inReasoning = true;
        return [chunk({ content: REASONING_OPEN + delta }, null)];
      },
      text(delta) {
        if (!inReasoning) return [chunk({ content: delta }, null)];
        inReasoning = false;
        return [chunk({ content: REASONING_CLOSE + delta }, null)];
      },
      toolUse(call, fragment) {
        const chunks: object[] = [];
        if (inReasoning) {
          inReasoning = false;
          chunks.push(chunk({ content: REASONING_CLOSE }, null));
        }
        const first = call.index !== lastCall;
        lastCall = call.index;
        chunks.push(chunk({ tool_calls: [toolCallDelta(call, fragment, first)] }, null));
        return chunks;
      },
      finish(end) {
        const chunks: object[] = [];
        if (inReasoning) chunks.push(chunk({ content: REASONING_CLOSE }, null));
        const last = chunk({}, FINISH_REASON[end.stopReason]);
        last[METRICS_KEY] = end.metrics;
        chunks.push(last);
        return chunks;
      },
    };
  },
  invokeResponse: (context, output) => ({
    id: responseId('chatcmpl-', context.requestId),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: context.baseModelId,
    service_tier: 'auto',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content:
            output.reasoning === '' ? output.text : REASONING_OPEN + output.reasoning + REASONING_CLOSE + output.text,
          ...(output.toolCalls.length === 0 ? {} : { tool_calls: wholeToolCalls(output.toolCalls) }),
        },
        finish_reason: FINISH_REASON[output.end.stopReason],
      },
    ],
    usage: {
      prompt_tokens: output.end.inputTokens,
      completion_tokens: output.end.outputTokens,
      total_tokens: output.end.inputTokens + output.end.outputTokens,
    },
  }),
};
