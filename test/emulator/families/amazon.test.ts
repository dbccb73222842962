import { describe, expect, it } from 'vitest';
import { nova } from '../../../src/emulator/families/nova.js';
import { titanText } from '../../../src/emulator/families/titan-text.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';
import { errorOf, METRICS, runFamily } from './run-family.js';

describe('titan text', () => {
  const MODEL = 'amazon.titan-text-express-v1';
  const body = {
    inputText: 'User: What happened at the assembly?\nBot:',
    textGenerationConfig: { maxTokenCount: 300 },
  };

  it('validates with Bedrock wording and model limits', () => {
    const parse = (b: unknown, model = MODEL) => errorOf(() => titanText.parseInvokeRequest(b, { baseModelId: model }));
    expect(parse({}).message).toContain('#: required key [inputText] not found');
    expect(parse({ ...body, prompt: 'x' }).message).toContain('#: extraneous key [prompt] is not permitted');
    expect(parse({ inputText: 'x', textGenerationConfig: { temperature: 2 } }).message).toContain(
      '#/textGenerationConfig/temperature: 2 is not less or equal to 1',
    );
    expect(
      parse({ inputText: 'x', textGenerationConfig: { maxTokenCount: 5000 } }, 'amazon.titan-text-lite-v1').message,
    ).toContain('is not less or equal to 4096');
    expect(titanText.parseInvokeRequest({ inputText: 'x' }, { baseModelId: MODEL })).toMatchObject({
      maxTokens: 512,
      temperature: 0.7,
      topP: 0.9,
    });
  });

  it('streams outputText with cumulative counts, input count on the first chunk only', async () => {
    const run = await runFamily(titanText, MODEL, body);
    expect(run.chunks.map((c) => c.outputText).join('')).toBe(run.text);
    expect(run.chunks[0]!.inputTextTokenCount).toBe(run.end.inputTokens);
    expect(run.chunks.slice(1).every((c) => c.inputTextTokenCount === null)).toBe(true);
    const counts = run.chunks.map((c) => c.totalOutputTextTokenCount as number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    const last = run.chunks.at(-1)!;
    expect(last).toMatchObject({ completionReason: 'FINISH', totalOutputTextTokenCount: countTokens(run.text) });
    expect(last[METRICS]).toMatchObject({ outputTokenCount: countTokens(run.text) });
    expect(run.invoke).toEqual({
      inputTextTokenCount: run.end.inputTokens,
      results: [{ tokenCount: countTokens(run.text), outputText: run.text, completionReason: 'FINISH' }],
    });
  });

  it('maps stop reasons to LENGTH and STOP_CRITERIA_MET', async () => {
    const short = await runFamily(titanText, MODEL, { ...body, textGenerationConfig: { maxTokenCount: 3 } });
    expect(short.chunks.at(-1)!.completionReason).toBe('LENGTH');
    const full = await runFamily(titanText, MODEL, body);
    const stop = full.text.split(' ')[2]!;
    const stopped = await runFamily(titanText, MODEL, { ...body, textGenerationConfig: { stopSequences: [stop] } });
    expect(stopped.chunks.at(-1)!.completionReason).toBe('STOP_CRITERIA_MET');
  });
});

describe('nova', () => {
  const MODEL = 'amazon.nova-lite-v1:0';
  const body = {
    schemaVersion: 'messages-v1',
    system: [{ text: 'Be kind.' }],
    messages: [{ role: 'user', content: [{ text: 'Describe Mr. Darcy.' }] }],
    inferenceConfig: { maxTokens: 300 },
  };

  it('validates the conversation and config', () => {
    const parse = (b: unknown) => errorOf(() => nova.parseInvokeRequest(b, { baseModelId: MODEL }));
    expect(parse({ ...body, messages: [{ role: 'assistant', content: [{ text: 'x' }] }] }).message).toContain(
      'A conversation must start with a user message',
    );
    expect(parse({ ...body, inferenceConfig: { temperature: 3 } }).message).toContain(
      '#/inferenceConfig/temperature: 3 is not less or equal to 1',
    );
    expect(parse({ ...body, extra: 1 }).message).toContain('#: extraneous key [extra] is not permitted');
    expect(
      nova.parseInvokeRequest({ ...body, inferenceConfig: { max_new_tokens: 7 } }, { baseModelId: MODEL }).maxTokens,
    ).toBe(7);
  });

  it('sends one Converse event per chunk and metrics beside metadata', async () => {
    const run = await runFamily(nova, MODEL, body);
    const keys = run.chunks.map((c) => Object.keys(c).filter((k) => k !== METRICS));
    expect(keys.every((k) => k.length === 1)).toBe(true);
    const names = keys.map((k) => k[0]);
    expect(names[0]).toBe('messageStart');
    expect(names.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    const text = run.chunks
      .filter((c) => c.contentBlockDelta)
      .map((c) => (c.contentBlockDelta as { delta: { text: string } }).delta.text)
      .join('');
    expect(text).toBe(run.text);
    expect(run.chunks.at(-2)).toEqual({ messageStop: { stopReason: 'end_turn' } });
    const last = run.chunks.at(-1)!;
    expect(last.metadata).toMatchObject({
      usage: { inputTokens: run.end.inputTokens, outputTokens: countTokens(text) },
    });
    expect(last[METRICS]).toMatchObject({ outputTokenCount: countTokens(text) });
    expect(run.invoke).toMatchObject({
      output: { message: { role: 'assistant', content: [{ text }] } },
      stopReason: 'end_turn',
      usage: { outputTokens: countTokens(text) },
    });
  });

  it('streams Nova 2 reasoning in block 0 and text in block 1', async () => {
    const run = await runFamily(nova, 'amazon.nova-2-lite-v1:0', {
      ...body,
      inferenceConfig: { maxTokens: 500, reasoningConfig: { type: 'enabled', maxReasoningEffort: 'low' } },
    });
    type Delta = { contentBlockIndex: number; delta: { text?: string; reasoningContent?: { text?: string } } };
    const deltas = run.chunks.filter((c) => c.contentBlockDelta).map((c) => c.contentBlockDelta as Delta);
    expect(deltas[0]!.delta.reasoningContent?.text).toBeDefined();
    expect(deltas.filter((d) => d.delta.text !== undefined).every((d) => d.contentBlockIndex === 1)).toBe(true);
    expect(run.end.outputTokens).toBe(countTokens(run.reasoning) + countTokens(run.text));
  });
});
