import { describe, expect, it } from 'vitest';
import { anthropicMessages } from '../../../src/emulator/families/anthropic-messages.js';
import { anthropicText } from '../../../src/emulator/families/anthropic-text.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';
import { errorOf, METRICS, runFamily } from './run-family.js';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const base = {
  anthropic_version: 'bedrock-2023-05-31',
  max_tokens: 400,
  messages: [{ role: 'user', content: 'Tell me about the ball.' }],
};

function parseError(body: unknown) {
  return errorOf(() => anthropicMessages.parseInvokeRequest(body, { baseModelId: MODEL }));
}

describe('anthropic messages: validation', () => {
  it('uses Bedrock wording for schema errors', () => {
    expect(parseError({ ...base, stream: true }).message).toBe(
      'Malformed input request: #: extraneous key [stream] is not permitted, please reformat your input and try again.',
    );
    const { max_tokens: _omit, ...noMax } = base;
    expect(parseError(noMax)).toMatchObject({
      errorType: 'ValidationException',
      status: 400,
      message:
        'Malformed input request: #: required key [max_tokens] not found, please reformat your input and try again.',
    });
    const { anthropic_version: _v, ...noVersion } = base;
    expect(parseError(noVersion).message).toContain('#: required key [anthropic_version] not found');
    expect(parseError({ ...base, anthropic_version: '2023-06-01' }).message).toContain('is not a valid enum value');
    expect(parseError({ ...base, temperature: 1.5 }).message).toContain('#/temperature: 1.5 is not less or equal to 1');
    expect(parseError({ ...base, max_tokens: 0 }).message).toContain('#/max_tokens: 0 is not greater or equal to 1');
    expect(parseError({ ...base, model: 'x' }).message).toContain('extraneous key [model]');
  });

  it('caps max_tokens at the model output limit', () => {
    expect(parseError({ ...base, max_tokens: 9000 }).message).toBe(
      'max_tokens: 9000 > 8192, which is the maximum allowed number of output tokens for claude-3-5-haiku-20241022',
    );
    const sonnet = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
    expect(
      anthropicMessages.parseInvokeRequest({ ...base, max_tokens: 64000 }, { baseModelId: sonnet }).maxTokens,
    ).toBe(64000);
  });

  it('checks the conversation shape', () => {
    expect(parseError({ ...base, messages: [] }).message).toBe('messages: at least one message is required');
    expect(parseError({ ...base, messages: [{ role: 'assistant', content: 'hi' }] }).message).toBe(
      'messages: first message must use the "user" role',
    );
    const twoUsers = [
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ];
    expect(parseError({ ...base, messages: twoUsers }).message).toContain('roles must alternate');
    const trailing = [...base.messages, { role: 'assistant', content: 'It was ' }];
    expect(parseError({ ...base, messages: trailing }).message).toContain('cannot end with trailing whitespace');
  });

  it('checks thinking settings and turns them into reasoning', () => {
    const thinking = { type: 'enabled', budget_tokens: 1024 };
    expect(parseError({ ...base, thinking: { type: 'enabled', budget_tokens: 100 } }).message).toContain('1024');
    expect(parseError({ ...base, max_tokens: 1000, thinking }).message).toContain('max_tokens');
    expect(parseError({ ...base, max_tokens: 2000, thinking, temperature: 0.5 }).message).toContain('temperature');
    const request = anthropicMessages.parseInvokeRequest(
      { ...base, max_tokens: 2000, thinking },
      { baseModelId: MODEL },
    );
    expect(request.reasoning).toBe(true);
  });

  it('builds the generation request: system, prefill, defaults, input tokens', () => {
    const request = anthropicMessages.parseInvokeRequest(
      {
        ...base,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [...base.messages, { role: 'assistant', content: [{ type: 'text', text: 'The ball' }] }],
        stop_sequences: ['END'],
        top_k: 5,
      },
      { baseModelId: MODEL },
    );
    expect(request).toMatchObject({
      conversation: 'System: Be brief.\n\nUser: Tell me about the ball.',
      prefill: 'The ball',
      maxTokens: 400,
      temperature: 1,
      topK: 5,
      stopSequences: ['END'],
      reasoning: false,
    });
    expect(request.inputTokens).toBe(countTokens(request.conversation + 'The ball'));
  });
});

describe('anthropic messages: stream', () => {
  it('sends message_start, one text block, message_delta and message_stop with metrics', async () => {
    const run = await runFamily(anthropicMessages, MODEL, base);
    const types = run.chunks.map((c) => c.type);
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const start = run.chunks[0]!.message as Record<string, unknown>;
    expect(start.id).toMatch(/^msg_bdrk_/);
    expect(start.model).toBe('claude-3-5-haiku-20241022');
    expect(start.usage).toMatchObject({ input_tokens: run.end.inputTokens, output_tokens: 1 });
    const text = run.chunks
      .filter((c) => c.type === 'content_block_delta')
      .map((c) => (c.delta as { text: string }).text)
      .join('');
    expect(text).toBe(run.text);
    const delta = run.chunks.at(-2)!;
    expect(delta).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: countTokens(text) },
    });
    expect(run.chunks.at(-1)![METRICS]).toMatchObject({
      inputTokenCount: run.end.inputTokens,
      outputTokenCount: countTokens(text),
    });
    expect(run.invoke).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      usage: { input_tokens: run.end.inputTokens, output_tokens: countTokens(text) },
    });
  });

  it('puts a thinking block with signature first when reasoning', async () => {
    const body = { ...base, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 } };
    const run = await runFamily(anthropicMessages, MODEL, body);
    const blocks = run.chunks.filter((c) => c.type === 'content_block_start');
    expect(blocks.map((c) => (c.content_block as { type: string }).type)).toEqual(['thinking', 'text']);
    expect(blocks.map((c) => c.index)).toEqual([0, 1]);
    const deltas = run.chunks
      .filter((c) => c.type === 'content_block_delta')
      .map((c) => c.delta as Record<string, string>);
    const thinking = deltas
      .filter((d) => d.type === 'thinking_delta')
      .map((d) => d.thinking)
      .join('');
    expect(thinking).toBe(run.reasoning);
    const signatureAt = deltas.findIndex((d) => d.type === 'signature_delta');
    expect(signatureAt).toBeGreaterThan(0);
    expect(deltas[signatureAt + 1]!.type).toBe('text_delta');
    const output = (run.chunks.at(-2)!.usage as { output_tokens: number }).output_tokens;
    expect(output).toBe(countTokens(run.reasoning) + countTokens(run.text));
    expect((run.invoke.content as { type: string }[]).map((c) => c.type)).toEqual(['thinking', 'text']);
  });

  it('reports max_tokens and stop_sequence', async () => {
    const short = await runFamily(anthropicMessages, MODEL, { ...base, max_tokens: 4 });
    expect(short.chunks.at(-2)!.delta).toEqual({ stop_reason: 'max_tokens', stop_sequence: null });
    expect(short.end.outputTokens).toBe(4);
    const full = await runFamily(anthropicMessages, MODEL, base);
    const sequence = full.text.split(' ')[3]!;
    const stopped = await runFamily(anthropicMessages, MODEL, { ...base, stop_sequences: [sequence] });
    expect(stopped.chunks.at(-2)!.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: sequence });
    expect(stopped.text).toBe(full.text.slice(0, full.text.indexOf(sequence)));
    expect(stopped.invoke.stop_sequence).toBe(sequence);
  });
});

describe('anthropic legacy text completions', () => {
  const MODEL_V2 = 'anthropic.claude-v2:1';
  const body = { prompt: '\n\nHuman: Hello there\n\nAssistant:', max_tokens_to_sample: 300 };

  it('validates the prompt and required fields', () => {
    const parse = (b: unknown) => errorOf(() => anthropicText.parseInvokeRequest(b, { baseModelId: MODEL_V2 }));
    expect(parse({ prompt: body.prompt }).message).toContain('#: required key [max_tokens_to_sample] not found');
    expect(parse({ ...body, prompt: 'Hello' }).message).toContain('\n\nAssistant:');
    expect(parse({ ...body, stream: true }).message).toContain('extraneous key [stream]');
  });

  it('streams completion chunks and ends with stop_reason and metrics', async () => {
    const run = await runFamily(anthropicText, MODEL_V2, body);
    expect(
      run.chunks
        .slice(0, -1)
        .map((c) => c.completion)
        .join(''),
    ).toBe(run.text);
    expect(run.chunks.at(-1)).toMatchObject({ completion: '', stop_reason: 'stop_sequence', stop: '\n\nHuman:' });
    expect(run.chunks.at(-1)![METRICS]).toMatchObject({ outputTokenCount: countTokens(run.text) });
    expect(run.invoke).toMatchObject({ completion: run.text, stop_reason: 'stop_sequence' });
    const short = await runFamily(anthropicText, MODEL_V2, { ...body, max_tokens_to_sample: 2 });
    expect(short.chunks.at(-1)).toMatchObject({ stop_reason: 'max_tokens', stop: null });
  });

  it('treats text after the last Assistant: turn as a prefill to continue', async () => {
    const full = await runFamily(anthropicText, MODEL_V2, body);
    const cut = full.text.slice(0, 9);
    const resumed = await runFamily(anthropicText, MODEL_V2, { ...body, prompt: body.prompt + ' ' + cut });
    expect(cut + resumed.text).toBe(full.text);
  });
});
