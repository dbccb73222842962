/**
 * AI21 Jurassic-2 (`ai21.j2-mid-v1`, `ai21.j2-ultra-v1`): InvokeModel only, Bedrock does not stream it.
 * Shares the `ai21-jamba` family tag (there is no separate EmulatorFamily for it) but not its format.
 */
import { generationRequest } from './chat-transcript.js';
import { allowKeys, expectObject, readNumber, readString, readStringList, requireKeys } from './request-fields.js';
import type { FamilyHandler } from './types.js';

const ALLOWED = new Set([
  'prompt',
  'maxTokens',
  'temperature',
  'topP',
  'stopSequences',
  'countPenalty',
  'presencePenalty',
  'frequencyPenalty',
]);

export const ai21Jurassic: FamilyHandler = {
  family: 'ai21-jamba',
  streaming: false,
  parseInvokeRequest(raw) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    requireKeys(body, ['prompt']);
    const prompt = readString(body, 'prompt')!;
    const maxTokens = readNumber(body, 'maxTokens', { min: 0, max: 8191, integer: true });
    const temperature = readNumber(body, 'temperature', { min: 0, max: 1 });
    const topP = readNumber(body, 'topP', { min: 0, max: 1 });
    const stopSequences = readStringList(body, 'stopSequences');
    return generationRequest({
      conversation: prompt,
      maxTokens: maxTokens ?? 200,
      temperature: temperature ?? 0.5,
      topP: topP ?? 0.5,
      stopSequences,
    });
  },
  createStreamWriter() {
    // Never used: the HTTP layer refuses to stream a non-streaming model.
    return { start: () => [], reasoning: () => [], text: () => [], finish: () => [] };
  },
  invokeResponse: (context, output) => ({
    id: context.requestId,
    prompt: { text: '', tokens: [] },
    completions: [
      {
        data: { text: output.text, tokens: [] },
        finishReason:
          output.end.stopReason === 'max_tokens'
            ? { reason: 'length', length: output.end.outputTokens }
            : { reason: 'endoftext' },
      },
    ],
  }),
};
