/**
 * Amazon Titan Text (lite, express, premier), §4.2: `inputText` + `textGenerationConfig`; chunks carry
 * `outputText`, a cumulative `totalOutputTextTokenCount`, `inputTextTokenCount` on the first chunk only.
 */
import { generationRequest, splitPrompt } from './chat-transcript.js';
import { firstChunkOnly, METRICS_KEY } from './invocation-metrics.js';
import { allowKeys, expectObject, readNumber, readString, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationStopReason } from './types.js';

const ALLOWED = new Set(['inputText', 'textGenerationConfig']);
const CONFIG_ALLOWED = new Set(['temperature', 'topP', 'maxTokenCount', 'stopSequences']);
const COMPLETION_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'FINISH',
  max_tokens: 'LENGTH',
  stop_sequence: 'STOP_CRITERIA_MET',
  tool_use: 'FINISH',
  guardrail_intervened: 'CONTENT_FILTERED',
};

function maxTokenLimit(baseModelId: string): number {
  if (baseModelId.includes('lite')) return 4096;
  if (baseModelId.includes('premier')) return 3072;
  return 8192;
}

export const titanText: FamilyHandler = {
  family: 'titan-text',
  streaming: true,
  parseInvokeRequest(raw, context) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['inputText']);
    const inputText = readString(body, 'inputText')!;
    const config =
      body.textGenerationConfig === undefined ? {} : expectObject(body.textGenerationConfig, '#/textGenerationConfig');
    const path = '#/textGenerationConfig';
    allowKeys(config, CONFIG_ALLOWED, path);
    const temperature = readNumber(config, 'temperature', { min: 0, max: 1 }, path);
    const topP = readNumber(config, 'topP', { min: 0, max: 1 }, path);
    const max = maxTokenLimit(context.baseModelId);
    const maxTokens = readNumber(config, 'maxTokenCount', { min: 0, max, integer: true }, path);
    const stopSequences = readStringList(config, 'stopSequences', {}, path);
    const { conversation, prefill } = splitPrompt(inputText, ['Bot:']);
    return generationRequest({
      conversation,
      prefill: prefill?.replace(/^ /, ''),
      maxTokens: maxTokens ?? 512,
      temperature: temperature ?? 0.7,
      topP: topP ?? 0.9,
      stopSequences,
    });
  },
  createStreamWriter(context) {
    let total = 0;
    const inputCount = firstChunkOnly(context.inputTokens);
    return {
      start: () => [],
      reasoning: () => [],
      text(delta, tokens) {
        total += tokens;
        const inputTextTokenCount = inputCount();
        return [
          {
            outputText: delta,
            index: 0,
            totalOutputTextTokenCount: total,
            completionReason: null,
            inputTextTokenCount,
          },
        ];
      },
      finish: (end) => [
        {
          outputText: '',
          index: 0,
          totalOutputTextTokenCount: end.outputTokens,
          completionReason: COMPLETION_REASON[end.stopReason],
          inputTextTokenCount: inputCount(),
          [METRICS_KEY]: end.metrics,
        },
      ],
    };
  },
  invokeResponse: (_context, output) => ({
    inputTextTokenCount: output.end.inputTokens,
    results: [
      {
        tokenCount: output.end.outputTokens,
        outputText: output.text,
        completionReason: COMPLETION_REASON[output.end.stopReason],
      },
    ],
  }),
};
