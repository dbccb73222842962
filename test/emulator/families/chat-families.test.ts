import { describe, expect, it } from 'vitest';
import { ai21Jamba } from '../../../src/emulator/families/ai21-jamba.js';
import { ai21Jurassic } from '../../../src/emulator/families/ai21-jurassic.js';
import { cohereR } from '../../../src/emulator/families/cohere-r.js';
import { mistralChat } from '../../../src/emulator/families/mistral-chat.js';
import { openAiGptOss, REASONING_CLOSE, REASONING_OPEN } from '../../../src/emulator/families/openai-gpt-oss.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';
import { errorOf, METRICS, runFamily } from './run-family.js';

const messages = [
  { role: 'system', content: 'Answer politely.' },
  { role: 'user', content: 'Who is Mr. Bingley?' },
];

describe('mistral chat', () => {
  const MODEL = 'mistral.mistral-large-2407-v1:0';
  it('streams choices[0].message.content and ends with stop_reason and metrics', async () => {
    const run = await runFamily(mistralChat, MODEL, { messages, max_tokens: 300 });
    const choices = run.chunks.map(
      (c) => (c.choices as { message: { content: string }; stop_reason: string | null }[])[0]!,
    );
    expect(choices.map((c) => c.message.content).join('')).toBe(run.text);
    expect(choices.at(-1)!.stop_reason).toBe('stop');
    expect(run.chunks.at(-1)![METRICS]).toMatchObject({ outputTokenCount: countTokens(run.text) });
    expect(run.invoke).toMatchObject({ choices: [{ message: { content: run.text }, stop_reason: 'stop' }] });
  });
  it('rejects unknown keys and roles', () => {
    const parse = (b: unknown) => errorOf(() => mistralChat.parseInvokeRequest(b, { baseModelId: MODEL }));
    expect(parse({ messages, stream: true }).message).toContain('extraneous key [stream]');
    expect(parse({ messages: [{ role: 'robot', content: 'x' }] }).message).toContain(
      '#/messages/0/role: robot is not a valid enum value',
    );
    expect(parse({ messages: [] }).message).toContain('expected minimum item count: 1');
  });
});

describe('cohere command r', () => {
  const MODEL = 'cohere.command-r-v1:0';
  const body = {
    message: 'And Mr. Darcy?',
    chat_history: [
      { role: 'USER', message: 'Hi' },
      { role: 'CHATBOT', message: 'Hello.' },
    ],
  };
  it('sends stream-start, text-generation events and stream-end with the full response', async () => {
    const run = await runFamily(cohereR, MODEL, body);
    expect(run.chunks[0]).toMatchObject({ is_finished: false, event_type: 'stream-start' });
    const texts = run.chunks.filter((c) => c.event_type === 'text-generation').map((c) => c.text);
    expect(texts.join('')).toBe(run.text);
    const end = run.chunks.at(-1)!;
    expect(end).toMatchObject({ is_finished: true, event_type: 'stream-end', finish_reason: 'COMPLETE' });
    expect(end.response).toMatchObject({
      text: run.text,
      meta: { billed_units: { output_tokens: countTokens(run.text) } },
    });
    expect(end[METRICS]).toMatchObject({ outputTokenCount: countTokens(run.text) });
    expect(run.invoke).toMatchObject({ text: run.text, finish_reason: 'COMPLETE' });
  });
  it('validates required message, roles and p range', () => {
    const parse = (b: unknown) => errorOf(() => cohereR.parseInvokeRequest(b, { baseModelId: MODEL }));
    expect(parse({}).message).toContain('#: required key [message] not found');
    expect(parse({ ...body, chat_history: [{ role: 'user', message: 'x' }] }).message).toContain(
      'is not a valid enum value',
    );
    expect(parse({ ...body, p: 1 }).message).toContain('#/p: 1 is not less or equal to 0.99');
  });
  it('reports MAX_TOKENS and STOP_SEQUENCE', async () => {
    expect((await runFamily(cohereR, MODEL, { ...body, max_tokens: 2 })).chunks.at(-1)!.finish_reason).toBe(
      'MAX_TOKENS',
    );
    const full = await runFamily(cohereR, MODEL, body);
    const stopped = await runFamily(cohereR, MODEL, { ...body, stop_sequences: [full.text.split(' ')[2]!] });
    expect(stopped.chunks.at(-1)!.finish_reason).toBe('STOP_SEQUENCE');
  });
});

describe('ai21 jamba', () => {
  const MODEL = 'ai21.jamba-1-5-mini-v1:0';
  it('streams deltas and sends the metrics in a separate trailing chunk', async () => {
    const run = await runFamily(ai21Jamba, MODEL, { messages, max_tokens: 300 });
    const last = run.chunks.at(-1)!;
    expect(Object.keys(last)).toEqual([METRICS]);
    expect(last[METRICS]).toMatchObject({ outputTokenCount: countTokens(run.text) });
    const finish = run.chunks.at(-2)!;
    expect(finish).toMatchObject({
      choices: [{ delta: {}, finish_reason: 'stop' }],
      usage: { completion_tokens: countTokens(run.text) },
    });
    const content = run.chunks
      .slice(0, -2)
      .map((c) => (c.choices as { delta: { content?: string } }[])[0]!.delta.content ?? '')
      .join('');
    expect(content).toBe(run.text);
    expect(run.invoke).toMatchObject({ choices: [{ message: { content: run.text }, finish_reason: 'stop' }] });
  });
  it('allows temperature up to 2 only', () => {
    expect(
      errorOf(() => ai21Jamba.parseInvokeRequest({ messages, temperature: 2.5 }, { baseModelId: MODEL })).message,
    ).toContain('#/temperature: 2.5 is not less or equal to 2');
  });
  it('answers Jurassic-2 InvokeModel bodies but does not stream them', async () => {
    expect(ai21Jurassic.streaming).toBe(false);
    const run = await runFamily(ai21Jurassic, 'ai21.j2-mid-v1', { prompt: 'Hello', maxTokens: 5 });
    expect(run.invoke).toMatchObject({
      completions: [{ data: { text: run.text }, finishReason: { reason: 'length' } }],
    });
  });
});

describe('openai gpt-oss', () => {
  const MODEL = 'openai.gpt-oss-20b-1:0';
  it('streams chat.completion.chunk objects with reasoning in tags, then a final empty delta with metrics', async () => {
    const run = await runFamily(openAiGptOss, MODEL, { messages, max_completion_tokens: 500 });
    expect(run.chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === MODEL)).toBe(true);
    const content = run.chunks
      .map((c) => (c.choices as { delta: { content?: string } }[])[0]!.delta.content ?? '')
      .join('');
    expect(content).toBe(REASONING_OPEN + run.reasoning + REASONING_CLOSE + run.text);
    const last = run.chunks.at(-1)!;
    expect(last.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(last[METRICS]).toMatchObject({ outputTokenCount: countTokens(run.reasoning) + countTokens(run.text) });
    expect(run.invoke).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content }, finish_reason: 'stop' }],
    });
  });
  it('checks that a model in the body matches the path', () => {
    expect(
      errorOf(() => openAiGptOss.parseInvokeRequest({ messages, model: 'gpt-4o' }, { baseModelId: MODEL })).message,
    ).toContain('does not match');
    expect(
      openAiGptOss.parseInvokeRequest({ messages, model: MODEL, stream: true }, { baseModelId: MODEL }).reasoning,
    ).toBe(true);
  });
  it('reports length when the budget runs out', async () => {
    const run = await runFamily(openAiGptOss, MODEL, { messages, max_completion_tokens: 3 });
    expect((run.chunks.at(-1)!.choices as { finish_reason: string }[])[0]!.finish_reason).toBe('length');
  });
});
