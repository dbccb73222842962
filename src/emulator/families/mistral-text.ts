/**
 * Mistral text completion (7B, Mixtral, Large 2402, Small 2402), §4.5: `prompt` as `<s>[INST] … [/INST]`;
 * chunks `{"outputs":[{"text","stop_reason"}]}`.
 */
import { generationRequest, splitPrompt } from './chat-transcript.js';
import { METRICS_KEY } from './invocation-metrics.js';
import { allowKeys, expectObject, readNumber, readString, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationStopReason } from './types.js';

const ALLOWED = new Set(['prompt', 'max_tokens', 'stop', 'temperature', 'top_p', 'top_k']);
const STOP_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop',
  tool_use: 'stop',
  guardrail_intervened: 'stop',
};

function defaultMaxTokens(baseModelId: string): number {
  return /large|small/.test(baseModelId) ? 8192 : 512;
}

export const mistralText: FamilyHandler = {
  family: 'mistral-text',
  streaming: true,
  parseInvokeRequest(raw, context) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['prompt']);
    const prompt = readString(body, 'prompt')!;
    const maxTokens = readNumber(body, 'max_tokens', { min: 1, max: 8192, integer: true });
    const stopSequences = readStringList(body, 'stop', { maxItems: 10 });
    const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
    const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
    const topK = readNumber(body, 'top_k', { min: 0, max: 200, integer: true });
    const { conversation, prefill } = splitPrompt(prompt, ['[/INST]']);
    return generationRequest({
      conversation,
      prefill: prefill?.replace(/^ /, ''),
      maxTokens: maxTokens ?? defaultMaxTokens(context.baseModelId),
      temperature: temperature ?? 0.5,
      topP: topP ?? 0.9,
      topK: topK ?? 50,
      stopSequences,
    });
  },
  createStreamWriter() {
    return {
      start: () => [],
      reasoning: () => [],
      text: (delta) => [{ outputs: [{ text: delta, stop_reason: null }] }],
      finish: (end) => [
        { outputs: [{ text: '', stop_reason: STOP_REASON[end.stopReason] }], [METRICS_KEY]: end.metrics },
      ],
    };
  },
  invokeResponse: (_context, output) => ({
    outputs: [{ text: output.text, stop_reason: STOP_REASON[output.end.stopReason] }],
  }),
};
