import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { DEFAULT_MAX_TOKENS, normalizeRequest, resolveModelId } from '../../src/client/request.js';
import type { InferenceRequest } from '../../src/client/types.js';

const invalid = (request: InferenceRequest, message: RegExp) => {
  expect(() => normalizeRequest(request)).toThrow(ValidationError);
  expect(() => normalizeRequest(request)).toThrow(message);
};

describe('normalizeRequest', () => {
  it('turns a prompt into one user message and applies the default maxTokens', () => {
    expect(normalizeRequest({ prompt: 'Hello' })).toEqual({
      messages: [{ role: 'user', content: 'Hello' }],
      maxTokens: DEFAULT_MAX_TOKENS,
    });
  });

  it('keeps messages and every given parameter, and nothing undefined', () => {
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Tell me more' },
    ] as const;
    const normalized = normalizeRequest({
      messages,
      system: 'Be brief',
      maxTokens: 50,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      additionalFields: { foo: 1 },
    });
    expect(normalized).toEqual({
      messages,
      system: 'Be brief',
      maxTokens: 50,
      temperature: 0.5,
      topP: 0.9,
      topK: 40,
      stopSequences: ['END'],
      additionalFields: { foo: 1 },
    });
    expect(Object.keys(normalizeRequest({ prompt: 'x', system: '' }))).toEqual(['messages', 'maxTokens']);
  });

  it('names the field and the fix for each mistake', () => {
    invalid({ prompt: '  ' }, /`prompt` is empty/);
    invalid({}, /Pass `prompt`/);
    invalid({ prompt: 'a', messages: [{ role: 'user', content: 'b' }] }, /either `prompt` or `messages`, not both/);
    invalid({ messages: [] }, /`messages` is empty/);
    invalid({ messages: [{ role: 'assistant', content: 'x' }] }, /messages\[0\] must be a user turn/);
    invalid(
      { messages: [{ role: 'system' as 'user', content: 'x' }] },
      /messages\[0\]\.role must be "user" or "assistant"/,
    );
    invalid({ messages: [{ role: 'user', content: '' }] }, /messages\[0\]\.content must be a non-empty string/);
    invalid({ prompt: 'x', maxTokens: 0 }, /maxTokens must be a positive whole number.*got 0/);
    invalid({ prompt: 'x', maxTokens: 1.5 }, /maxTokens/);
    invalid({ prompt: 'x', temperature: 3 }, /temperature must be a number from 0 to 2 \(got 3\)/);
    invalid({ prompt: 'x', temperature: Number.NaN }, /temperature/);
    invalid({ prompt: 'x', topP: -0.1 }, /topP must be a number from 0 to 1/);
    invalid({ prompt: 'x', topK: 0 }, /topK/);
    invalid({ prompt: 'x', stopSequences: [''] }, /stopSequences/);
    invalid({ prompt: 'x', reasoning: { budgetTokens: -1 } }, /reasoning\.budgetTokens/);
    invalid({ prompt: 'x', api: 'chat' as 'invoke' }, /api must be "invoke" or "converse"/);
  });
});

describe('resolveModelId', () => {
  it('prefers the request, falls back to the client, and explains a missing id', () => {
    expect(resolveModelId({ prompt: 'x', modelId: 'a' }, 'b')).toBe('a');
    expect(resolveModelId({ prompt: 'x' }, 'b')).toBe('b');
    expect(() => resolveModelId({ prompt: 'x' }, undefined)).toThrow(/No modelId: pass `modelId`/);
  });
});
