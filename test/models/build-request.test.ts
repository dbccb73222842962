import { describe, expect, it } from 'vitest';
import { resolveAdapter } from '../../src/models/registry.js';
import type { ModelFamily, NormalizedRequest } from '../../src/models/types.js';

const base: NormalizedRequest = {
  system: 'Be brief.',
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
    { role: 'user', content: 'Capital of France?' },
  ],
  maxTokens: 100,
  temperature: 0.5,
  topP: 0.9,
  stopSequences: ['END'],
};
const prefill: NormalizedRequest = { ...base, messages: [...base.messages, { role: 'assistant', content: 'It is ' }] };
const build = (family: ModelFamily, request: NormalizedRequest = base) =>
  resolveAdapter('x', family).buildRequest(request);

describe('buildRequest per family (bedrock-wire.md §4)', () => {
  it('anthropic: Messages body; thinking; prefill trimmed; no model/stream keys', () => {
    expect(build('anthropic', { ...base, topK: 5, reasoning: { budgetTokens: 1024 } })).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 100,
      system: 'Be brief.',
      messages: base.messages,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ['END'],
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    const body = build('anthropic', { ...prefill, reasoning: { budgetTokens: 1024 } }) as { messages: unknown[] };
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: 'It is' });
    expect(body).not.toHaveProperty('thinking'); // Claude refuses a prefill with thinking on
    expect(body).not.toHaveProperty('model');
    expect(body).not.toHaveProperty('stream');
  });

  it('anthropic-text: Human/Assistant transcript, prefill continues the Assistant turn', () => {
    expect(build('anthropic-text')).toMatchObject({
      prompt: 'Be brief.\n\nHuman: Hi\n\nAssistant: Hello!\n\nHuman: Capital of France?\n\nAssistant:',
      max_tokens_to_sample: 100,
      stop_sequences: ['END'],
    });
    expect((build('anthropic-text', prefill) as { prompt: string }).prompt).toMatch(/\n\nAssistant: It is $/);
  });

  it('titan: inputText + textGenerationConfig', () => {
    expect(build('titan')).toEqual({
      inputText: 'Be brief.\nUser: Hi\nBot: Hello!\nUser: Capital of France?\nBot:',
      textGenerationConfig: { maxTokenCount: 100, temperature: 0.5, topP: 0.9, stopSequences: ['END'] },
    });
    expect((build('titan', prefill) as { inputText: string }).inputText).toMatch(/\nBot: It is $/);
  });

  it('nova: messages-v1 with system blocks and inferenceConfig', () => {
    expect(build('nova', { ...base, topK: 20 })).toEqual({
      schemaVersion: 'messages-v1',
      system: [{ text: 'Be brief.' }],
      messages: base.messages.map((m) => ({ role: m.role, content: [{ text: m.content }] })),
      inferenceConfig: { maxTokens: 100, temperature: 0.5, topP: 0.9, topK: 20, stopSequences: ['END'] },
    });
    const body = build('nova', prefill) as { messages: unknown[] };
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: [{ text: 'It is' }] });
  });

  it('llama: Llama 3 template ending in an open assistant header', () => {
    const body = build('llama') as { prompt: string };
    expect(body).toEqual({ prompt: body.prompt, max_gen_len: 100, temperature: 0.5, top_p: 0.9 });
    expect(body.prompt).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nCapital of France?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    expect((build('llama', prefill) as { prompt: string }).prompt).toMatch(/<\|end_header_id\|>\n\nIt is $/);
  });

  it('mistral: [INST] template, system folded into the first user turn', () => {
    expect(build('mistral', { ...base, topK: 3 })).toEqual({
      prompt: '<s>[INST] Be brief.\n\nHi [/INST]Hello!</s>[INST] Capital of France? [/INST]',
      max_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 3,
      stop: ['END'],
    });
    expect((build('mistral', prefill) as { prompt: string }).prompt).toMatch(/\[\/INST\]It is $/);
  });

  it('mistral-chat, ai21: OpenAI-style messages with a system message', () => {
    const messages = [{ role: 'system', content: 'Be brief.' }, ...base.messages];
    expect(build('mistral-chat')).toEqual({ messages, max_tokens: 100, temperature: 0.5, top_p: 0.9, stop: ['END'] });
    expect(build('ai21')).toEqual({ messages, max_tokens: 100, temperature: 0.5, top_p: 0.9, stop: ['END'] });
  });

  it('openai: developer message and max_completion_tokens, no stream key', () => {
    expect(build('openai')).toEqual({
      messages: [{ role: 'developer', content: 'Be brief.' }, ...base.messages],
      max_completion_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['END'],
    });
  });

  it('cohere: message, chat_history, preamble', () => {
    expect(build('cohere', { ...base, topK: 7 })).toEqual({
      message: 'Capital of France?',
      chat_history: [
        { role: 'USER', message: 'Hi' },
        { role: 'CHATBOT', message: 'Hello!' },
      ],
      preamble: 'Be brief.',
      max_tokens: 100,
      temperature: 0.5,
      p: 0.9,
      k: 7,
      stop_sequences: ['END'],
    });
  });

  it('cohere-command: raw prompt ending in Chatbot:', () => {
    expect(build('cohere-command')).toMatchObject({
      prompt: 'Be brief.\n\nUser: Hi\nChatbot: Hello!\nUser: Capital of France?\nChatbot:',
      max_tokens: 100,
      p: 0.9,
    });
  });

  it('deepseek: R1 template opening <think>', () => {
    expect(build('deepseek')).toEqual({
      prompt:
        '<｜begin▁of▁sentence｜>Be brief.<｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜>' +
        '<｜User｜>Capital of France?<｜Assistant｜><think>\n',
      max_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['END'],
    });
  });

  it('merges additionalFields over the built body, and omits unset options', () => {
    const minimal: NormalizedRequest = { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 10 };
    expect(build('anthropic', { ...minimal, additionalFields: { top_k: 3, max_tokens: 20 } })).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'Hi' }],
      top_k: 3,
    });
    expect(build('llama', minimal)).toEqual({
      prompt: expect.any(String) as string,
      max_gen_len: 10,
    });
  });

  it('declares how each family continues an interrupted answer', () => {
    const continuation = Object.fromEntries(
      (
        [
          'anthropic',
          'anthropic-text',
          'titan',
          'nova',
          'llama',
          'mistral',
          'mistral-chat',
          'cohere',
          'cohere-command',
          'ai21',
          'deepseek',
          'openai',
        ] as const
      ).map((family) => [family, resolveAdapter('x', family).continuation]),
    );
    expect(continuation).toEqual({
      anthropic: 'prefill',
      'anthropic-text': 'prefill',
      titan: 'prefill',
      nova: 'prefill',
      llama: 'prefill',
      mistral: 'prefill',
      'mistral-chat': 'none',
      cohere: 'none',
      'cohere-command': 'prefill',
      ai21: 'none',
      deepseek: 'prompt',
      openai: 'none',
    });
  });
});
