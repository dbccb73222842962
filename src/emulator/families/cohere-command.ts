/**
 * Cohere Command (legacy `command-text-v14`, `command-light-text-v14`), §4.6: `prompt`; chunks carry `text`
 * and `is_finished`, the last one `finish_reason` (COMPLETE | MAX_TOKENS) and the generations.
 */
import { generationRequest, splitPrompt } from './chat-transcript.js';
import { METRICS_KEY, responseId } from './invocation-metrics.js';
import {
  allowKeys,
  expectObject,
  readEnum,
  readNumber,
  readString,
  readStringList,
  requireKeys,
} from './request-fields.js';
import type { FamilyHandler, GenerationEnd, GenerationStopReason, WriterContext } from './types.js';

const ALLOWED = new Set([
  'prompt',
  'max_tokens',
  'temperature',
  'p',
  'k',
  'stop_sequences',
  'return_likelihoods',
  'stream',
  'num_generations',
  'logit_bias',
  'truncate',
]);
const FINISH_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'COMPLETE',
  max_tokens: 'MAX_TOKENS',
  stop_sequence: 'COMPLETE',
  tool_use: 'COMPLETE',
  guardrail_intervened: 'COMPLETE',
};

function generations(context: WriterContext, text: string, end: GenerationEnd): object[] {
  return [{ id: responseId('', context.requestId), text, finish_reason: FINISH_REASON[end.stopReason] }];
}

export const cohereCommand: FamilyHandler = {
  family: 'cohere-command',
  streaming: true,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['prompt']);
    const prompt = readString(body, 'prompt')!;
    const maxTokens = readNumber(body, 'max_tokens', { min: 1, max: 4096, integer: true });
    const temperature = readNumber(body, 'temperature', { min: 0, max: 5 });
    const topP = readNumber(body, 'p', { min: 0, max: 1 });
    const topK = readNumber(body, 'k', { min: 0, max: 500, integer: true });
    const stopSequences = readStringList(body, 'stop_sequences', { maxItems: 4 });
    readEnum(body, 'return_likelihoods', ['GENERATION', 'ALL', 'NONE']);
    readEnum(body, 'truncate', ['NONE', 'START', 'END']);
    readNumber(body, 'num_generations', { min: 1, max: 5, integer: true });
    // A transcript ending in "Chatbot: <partial answer>" continues that answer.
    const { conversation, prefill } = splitPrompt(prompt, ['Chatbot:']);
    return generationRequest({
      conversation,
      prefill: prefill?.replace(/^ /, ''),
      maxTokens: maxTokens ?? 20,
      temperature: temperature ?? 0.9,
      topP: topP ?? 0.75,
      topK,
      stopSequences,
    });
  },
  createStreamWriter(context) {
    const parts: string[] = [];
    return {
      start: () => [],
      reasoning: () => [],
      text(delta) {
        parts.push(delta);
        return [{ text: delta, is_finished: false, index: 0 }];
      },
      finish: (end) => [
        {
          is_finished: true,
          finish_reason: FINISH_REASON[end.stopReason],
          response: { id: responseId('', context.requestId), generations: generations(context, parts.join(''), end) },
          [METRICS_KEY]: end.metrics,
        },
      ],
    };
  },
  invokeResponse: (context, output) => ({
    id: responseId('', context.requestId),
    generations: generations(context, output.text, output.end),
  }),
};
