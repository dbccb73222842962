import { describe, expect, it } from 'vitest';
import { listSupportedFamilies, resolveAdapter } from '../../src/models/registry.js';
import type { NormalizedRequest } from '../../src/models/types.js';

/** The same conversation as plain strings and as text parts (split mid-sentence, as a UI might send it). */
const asStrings: NormalizedRequest = {
  messages: [
    { role: 'user', content: 'Hi there' },
    { role: 'assistant', content: 'Hello!' },
    { role: 'user', content: 'Capital of France?' },
  ],
  maxTokens: 100,
};
const asParts: NormalizedRequest = {
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Hi there' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Capital of ' },
        { type: 'text', text: 'France?' },
      ],
    },
  ],
  maxTokens: 100,
};

describe('text parts on every family', () => {
  for (const family of listSupportedFamilies()) {
    it(`${family}: text parts reach the request as their text, never as "[object Object]"`, () => {
      const adapter = resolveAdapter('x', family);
      const body = JSON.stringify(adapter.buildRequest(asParts));
      expect(body).not.toContain('[object Object]');
      for (const text of ['Hi there', 'Hello!', 'Capital of ', 'France?']) expect(body).toContain(text);
    });
  }

  it('prompt-string families build the same prompt from parts as from strings', () => {
    for (const family of ['titan', 'mistral', 'deepseek', 'anthropic-text', 'cohere-command', 'llama'] as const) {
      const adapter = resolveAdapter('x', family);
      expect(adapter.buildRequest(asParts), family).toEqual(adapter.buildRequest(asStrings));
    }
  });
});
