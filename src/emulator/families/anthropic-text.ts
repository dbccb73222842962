/**
 * Claude legacy Text Completions (`anthropic.claude-v2`, `claude-v2:1`, `claude-instant-v1`), §4.1:
 * `prompt` in "\n\nHuman: …\n\nAssistant:" form, `completion` chunks, stop_reason stop_sequence|max_tokens.
 */
import { BedrockServiceError } from '../bedrock-error.js';
import { generationRequest, splitPrompt } from './chat-transcript.js';
import { METRICS_KEY } from './invocation-metrics.js';
import { allowKeys, expectObject, readNumber, readString, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler, GenerationEnd } from './types.js';

const ALLOWED = new Set([
  'prompt',
  'max_tokens_to_sample',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'anthropic_version',
]);
/** A natural end of a Claude 2 completion is reported as hitting the next human turn. */
const HUMAN_TURN = '\n\nHuman:';

function stopFields(end: GenerationEnd): { stop_reason: string; stop: string | null } {
  if (end.stopReason === 'max_tokens') return { stop_reason: 'max_tokens', stop: null };
  return { stop_reason: 'stop_sequence', stop: end.stopSequence ?? HUMAN_TURN };
}

export const anthropicText: FamilyHandler = {
  family: 'anthropic-text',
  streaming: true,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['prompt', 'max_tokens_to_sample']);
    const prompt = readString(body, 'prompt')!;
    const maxTokens = readNumber(body, 'max_tokens_to_sample', { min: 1, integer: true })!;
    const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
    const topP = readNumber(body, 'top_p', { min: 0, max: 1 });
    const topK = readNumber(body, 'top_k', { min: 0, max: 500, integer: true });
    const stopSequences = readStringList(body, 'stop_sequences');
    readString(body, 'anthropic_version');
    if (!prompt.includes('Human:') || !prompt.includes('\n\nAssistant:')) {
      throw new BedrockServiceError(
        'ValidationException',
        'prompt must start with "\n\nHuman:" turn after an optional system prompt and end with "\n\nAssistant:" turn',
      );
    }
    const { conversation, prefill } = splitPrompt(prompt, ['\n\nAssistant:']);
    return generationRequest({
      conversation,
      prefill: prefill?.replace(/^ /, ''),
      maxTokens,
      temperature: temperature ?? 1,
      topP,
      topK,
      stopSequences,
    });
  },
  createStreamWriter() {
    return {
      start: () => [],
      reasoning: () => [],
      text: (delta) => [{ completion: delta, stop_reason: null, stop: null }],
      finish: (end) => [{ completion: '', ...stopFields(end), [METRICS_KEY]: end.metrics }],
    };
  },
  invokeResponse: (_context, output) => ({ type: 'completion', completion: output.text, ...stopFields(output.end) }),
};
