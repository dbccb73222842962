import { describe, expect, it } from 'vitest';
import { cohereCommand } from '../../../src/emulator/families/cohere-command.js';
import { deepseekR1, THINK_CLOSE } from '../../../src/emulator/families/deepseek-r1.js';
import { llama } from '../../../src/emulator/families/llama.js';
import { mistralText } from '../../../src/emulator/families/mistral-text.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';
import { errorOf, METRICS, runFamily } from './run-family.js';

const LLAMA3 = 'meta.llama3-8b-instruct-v1:0';
const llamaPrompt =
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWho is Jane?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n';

describe('llama', () => {
  it('validates and applies defaults', () => {
    expect(errorOf(() => llama.parseInvokeRequest({}, { baseModelId: LLAMA3 })).message).toContain(
      '#: required key [prompt] not found',
    );
    expect(
      errorOf(() => llama.parseInvokeRequest({ prompt: 'x', stop: ['a'] }, { baseModelId: LLAMA3 })).message,
    ).toContain('extraneous key [stop]');
    expect(llama.parseInvokeRequest({ prompt: 'x' }, { baseModelId: LLAMA3 })).toMatchObject({
      maxTokens: 512,
      temperature: 0.5,
    });
  });

  it('sends prompt_token_count first and a cumulative generation_token_count', async () => {
    const run = await runFamily(llama, LLAMA3, { prompt: llamaPrompt, max_gen_len: 300 });
    expect(run.chunks.map((c) => c.generation).join('')).toBe(run.text);
    expect(run.chunks[0]!.prompt_token_count).toBe(run.end.inputTokens);
    expect(run.chunks.slice(1).every((c) => c.prompt_token_count === null)).toBe(true);
    expect(run.chunks[0]!.generation_token_count).toBe(3);
    const last = run.chunks.at(-1)!;
    expect(last).toMatchObject({ generation: '', stop_reason: 'stop', generation_token_count: countTokens(run.text) });
    expect(last[METRICS]).toMatchObject({ outputTokenCount: countTokens(run.text) });
    expect(run.invoke).toEqual({
      generation: run.text,
      prompt_token_count: run.end.inputTokens,
      generation_token_count: countTokens(run.text),
      stop_reason: 'stop',
    });
    const short = await runFamily(llama, LLAMA3, { prompt: llamaPrompt, max_gen_len: 5 });
    expect(short.chunks.at(-1)!.stop_reason).toBe('length');
  });

  it('continues an answer appended after the assistant header', async () => {
    const full = await runFamily(llama, LLAMA3, { prompt: llamaPrompt });
    const cut = full.text.slice(0, 14);
    const resumed = await runFamily(llama, LLAMA3, { prompt: llamaPrompt + cut });
    expect(cut + resumed.text).toBe(full.text);
  });
});

describe('mistral text', () => {
  const MODEL = 'mistral.mistral-7b-instruct-v0:2';
  const body = { prompt: '<s>[INST] Tell me about Netherfield. [/INST]', max_tokens: 300 };

  it('validates the stop list and ranges', () => {
    const parse = (b: unknown) => errorOf(() => mistralText.parseInvokeRequest(b, { baseModelId: MODEL }));
    expect(parse({ ...body, stop: Array.from({ length: 11 }, (_, i) => `s${i}`) }).message).toContain(
      'expected maximum item count: 10, found: 11',
    );
    expect(parse({ ...body, top_k: 500 }).message).toContain('#/top_k: 500 is not less or equal to 200');
    expect(
      mistralText.parseInvokeRequest({ prompt: 'x' }, { baseModelId: 'mistral.mistral-large-2402-v1:0' }).maxTokens,
    ).toBe(8192);
  });

  it('streams outputs[0].text and ends with stop_reason and metrics', async () => {
    const run = await runFamily(mistralText, MODEL, body);
    const outputs = run.chunks.map((c) => (c.outputs as { text: string; stop_reason: string | null }[])[0]!);
    expect(outputs.map((o) => o.text).join('')).toBe(run.text);
    expect(outputs.at(-1)!.stop_reason).toBe('stop');
    expect(run.chunks.at(-1)![METRICS]).toMatchObject({ outputTokenCount: countTokens(run.text) });
    expect(run.invoke).toEqual({ outputs: [{ text: run.text, stop_reason: 'stop' }] });
    const short = await runFamily(mistralText, MODEL, { ...body, max_tokens: 2 });
    expect((short.invoke.outputs as { stop_reason: string }[])[0]!.stop_reason).toBe('length');
  });
});

describe('deepseek r1', () => {
  const MODEL = 'deepseek.r1-v1:0';
  const prompt = '<｜begin▁of▁sentence｜><｜User｜>Why is Mr. Darcy proud?<｜Assistant｜><think>\n';

  it('streams reasoning, then </think>, then the answer in choices[0].text', async () => {
    const run = await runFamily(deepseekR1, MODEL, { prompt, max_tokens: 500 });
    const all = run.chunks.map((c) => (c.choices as { text: string }[])[0]!.text).join('');
    expect(all).toBe(run.reasoning + THINK_CLOSE + run.text);
    expect(run.reasoning.length).toBeGreaterThan(0);
    expect((run.chunks.at(-1)!.choices as { stop_reason: string }[])[0]!.stop_reason).toBe('stop');
    expect(run.chunks.at(-1)![METRICS]).toMatchObject({
      outputTokenCount: countTokens(run.reasoning) + countTokens(run.text),
    });
    expect(run.invoke).toEqual({ choices: [{ text: all, stop_reason: 'stop' }] });
  });

  it('validates max_tokens and the stop list', () => {
    expect(
      errorOf(() => deepseekR1.parseInvokeRequest({ prompt, max_tokens: 40000 }, { baseModelId: MODEL })).message,
    ).toContain('#/max_tokens: 40000 is not less or equal to 32768');
  });

  it('resumes only the answer when the prompt already holds a closed think block', async () => {
    const full = await runFamily(deepseekR1, MODEL, { prompt });
    const cut = full.text.slice(0, 11);
    const resumed = await runFamily(deepseekR1, MODEL, { prompt: prompt + full.reasoning + THINK_CLOSE + cut });
    expect(resumed.reasoning).toBe('');
    expect(cut + resumed.text).toBe(full.text);
  });
});

describe('cohere command (legacy)', () => {
  const MODEL = 'cohere.command-text-v14';

  it('defaults to 20 tokens and reports MAX_TOKENS', async () => {
    const run = await runFamily(cohereCommand, MODEL, {
      prompt: 'Write about Longbourn in 5 sentences.',
      stream: true,
    });
    expect(run.end.outputTokens).toBe(20);
    expect(
      run.chunks
        .slice(0, -1)
        .map((c) => c.text)
        .join(''),
    ).toBe(run.text);
    expect(run.chunks.at(-1)).toMatchObject({ is_finished: true, finish_reason: 'MAX_TOKENS' });
    expect(run.chunks.at(-1)![METRICS]).toMatchObject({ outputTokenCount: 20 });
    expect((run.invoke.generations as { text: string }[])[0]!.text).toBe(run.text);
  });

  it('validates its ranges', () => {
    expect(
      errorOf(() => cohereCommand.parseInvokeRequest({ prompt: 'x', temperature: 6 }, { baseModelId: MODEL })).message,
    ).toContain('#/temperature: 6 is not less or equal to 5');
  });
});

describe('cohere command (legacy) continuation', () => {
  it('continues text after the last "Chatbot:" turn', async () => {
    const prompt = 'User: Tell me about Lydia.\nChatbot:';
    const full = await runFamily(cohereCommand, 'cohere.command-light-text-v14', { prompt, max_tokens: 300 });
    const cut = full.text.slice(0, 10);
    const resumed = await runFamily(cohereCommand, 'cohere.command-light-text-v14', {
      prompt: `${prompt} ${cut}`,
      max_tokens: 300,
    });
    expect(cut + resumed.text).toBe(full.text);
  });
});
