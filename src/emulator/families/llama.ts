/**
 * Meta Llama 2/3/3.1/3.2/3.3/4, §4.4: `prompt` in the model's chat template; chunks carry `generation`,
 * `prompt_token_count` on the first chunk only and a cumulative `generation_token_count`.
 */
import { generationRequest, splitPrompt } from './chat-transcript.js';
import { firstChunkOnly, METRICS_KEY } from './invocation-metrics.js';
import { allowKeys, expectObject, readArray, readNumber, readString, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationStopReason } from './types.js';

const ALLOWED = new Set(['prompt', 'temperature', 'top_p', 'max_gen_len', 'images']);
/** Text after the last assistant header of the template is a prefill (Llama 3 and Llama 2 templates). */
const ASSISTANT_MARKERS = ['<|start_header_id|>assistant<|end_header_id|>\n\n', '[/INST]'];
const STOP_REASON: Record<GenerationStopReason, string> = {
  end_turn: 'stop',
  max_tokens: 'length',
  stop_sequence: 'stop',
  tool_use: 'stop',
  guardrail_intervened: 'stop',
};

export const llama: FamilyHandler = {
  family: 'llama',
  streaming: true,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['prompt']);
    const prompt = readString(body, 'prompt')!;
    const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
    const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
    const maxTokens = readNumber(body, 'max_gen_len', { min: 1, max: 8192, integer: true });
    readArray(body, 'images');
    const { conversation, prefill } = splitPrompt(prompt, ASSISTANT_MARKERS);
    return generationRequest({
      conversation,
      prefill,
      maxTokens: maxTokens ?? 512,
      temperature: temperature ?? 0.5,
      topP: topP ?? 0.9,
    });
  },
  createStreamWriter(context) {
    let generated = 0;
    const promptCount = firstChunkOnly(context.inputTokens);
    return {
      start: () => [],
      reasoning: () => [],
      text(delta, tokens) {
        generated += tokens;
        return [
          {
            generation: delta,
            prompt_token_count: promptCount(),
            generation_token_count: generated,
            stop_reason: null,
          },
        ];
      },
      finish: (end) => [
        {
          generation: '',
          prompt_token_count: promptCount(),
          generation_token_count: end.outputTokens,
          stop_reason: STOP_REASON[end.stopReason],
          [METRICS_KEY]: end.metrics,
        },
      ],
    };
  },
  invokeResponse: (_context, output) => ({
    generation: output.text,
    prompt_token_count: output.end.inputTokens,
    generation_token_count: output.end.outputTokens,
    stop_reason: STOP_REASON[output.end.stopReason],
  }),
};
