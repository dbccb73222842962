/**
 * DeepSeek R1 (profile only), §4.8: `prompt` in the R1 chat template; the model always reasons, and the
 * reasoning streams in `choices[0].text` before `</think>`, then the answer.
 */
import { generationRequest, splitPrompt } from './chat-transcript.js';
import { METRICS_KEY } from './invocation-metrics.js';
import { allowKeys, expectObject, readNumber, readString, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationStopReason } from './types.js';

const ALLOWED = new Set(['prompt', 'temperature', 'top_p', 'max_tokens', 'stop']);
const STOP_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop',
  tool_use: 'stop',
  guardrail_intervened: 'stop',
};
const ASSISTANT_MARKERS = ['<｜Assistant｜>', '<|Assistant|>'];
export const THINK_CLOSE = '\n</think>\n\n';

/**
 * After the assistant marker: an optional `<think>`, the reasoning, `</think>`, the answer. A prompt that
 * already holds a closed think block resumes the answer only.
 */
function splitReasoning(prefill: string | undefined): { prefill?: string; reasoning: boolean } {
  if (prefill === undefined) return { reasoning: true };
  const closed = prefill.indexOf('</think>');
  if (closed >= 0) return { prefill: prefill.slice(closed + '</think>'.length).trimStart(), reasoning: false };
  return prefill.replace(/^\s*<think>\s*/, '') === '' ? { reasoning: true } : { prefill, reasoning: true };
}

export const deepseekR1: FamilyHandler = {
  family: 'deepseek-r1',
  streaming: true,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['prompt']);
    const prompt = readString(body, 'prompt')!;
    const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
    const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
    const maxTokens = readNumber(body, 'max_tokens', { min: 1, max: 32768, integer: true });
    const stopSequences = readStringList(body, 'stop', { maxItems: 10 });
    const split = splitPrompt(prompt, ASSISTANT_MARKERS);
    const { prefill, reasoning } = splitReasoning(split.prefill);
    return generationRequest({
      conversation: split.conversation,
      prefill,
      maxTokens: maxTokens ?? 8192,
      temperature: temperature ?? 0.6,
      topP: topP ?? 0.9,
      stopSequences,
      reasoning,
    });
  },
  createStreamWriter() {
    let inReasoning = false;
    return {
      start: () => [],
      reasoning(delta) {
        inReasoning = true;
        return [{ choices: [{ text: delta, stop_reason: null }] }];
      },
      text(delta) {
        if (!inReasoning) return [{ choices: [{ text: delta, stop_reason: null }] }];
        inReasoning = false;
        return [{ choices: [{ text: THINK_CLOSE + delta, stop_reason: null }] }];
      },
      finish: (end) => [
        { choices: [{ text: '', stop_reason: STOP_REASON[end.stopReason] }], [METRICS_KEY]: end.metrics },
      ],
    };
  },
  invokeResponse: (_context, output) => ({
    choices: [
      {
        text: output.reasoning === '' ? output.text : output.reasoning + THINK_CLOSE + output.text,
        stop_reason: STOP_REASON[output.end.stopReason],
      },
    ],
  }),
};
