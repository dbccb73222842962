import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE, clientFor, postJson, startHarness, type Harness } from './server-harness.js';

let h: Harness;
let openai: OpenAI;
beforeAll(async () => {
  h = await startHarness({ apiKeys: ['sk-test-key'] });
  openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-test-key', maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
});

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Describe the sea.' },
];

describe('OpenAI-compatible /v1 with the real openai client', () => {
  it('non-streaming: the library answer in a chat.completion with usage', async () => {
    const expected = await clientFor(h.emu).invoke({
      system: 'You are terse.',
      prompt: 'Describe the sea.',
      maxTokens: 60,
    });
    const completion = await openai.chat.completions.create({ model: CLAUDE, messages, max_tokens: 60 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(CLAUDE);
    expect(completion.choices[0]!.message.content).toBe(expected.text);
    expect(completion.choices[0]!.finish_reason).toBe(expected.stopReason === 'max_tokens' ? 'length' : 'stop');
    expect(completion.usage).toEqual({
      prompt_tokens: expected.usage.inputTokens,
      completion_tokens: expected.usage.outputTokens,
      total_tokens: expected.usage.inputTokens + expected.usage.outputTokens,
    });
  });

  it('streaming: chat.completion.chunk deltas join to the same text, then finish_reason and usage', async () => {
    const expected = await clientFor(h.emu).invoke({
      system: 'You are terse.',
      prompt: 'Describe the sea.',
      maxTokens: 60,
    });
    const stream = await openai.chat.completions.create({
      model: CLAUDE,
      messages,
      max_tokens: 60,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const finishReasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(expected.text);
    expect(chunks).toBeGreaterThan(3);
    expect(finishReasons).toEqual([expected.stopReason === 'max_tokens' ? 'length' : 'stop']);
    expect(usage?.completion_tokens).toBe(expected.usage.outputTokens);
  });

  it('the raw stream ends with data: [DONE] and starts with the assistant role', async () => {
    const response = await postJson(
      `${h.url}/v1/chat/completions`,
      { model: CLAUDE, messages, max_tokens: 20, stream: true },
      { authorization: 'Bearer sk-test-key' },
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const body = await response.text();
    const events = body.split('\n\n').filter((part) => part !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    const first = JSON.parse(events[0]!.slice('data: '.length)) as { choices: { delta: Record<string, string> }[] };
    expect(first.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(body).not.toContain('"usage"');
  });

  it('lists models, and rejects a wrong key with 401', async () => {
    const models = await openai.models.list();
    expect(models.data.map((model) => model.id)).toContain(CLAUDE);
    expect((await openai.models.retrieve(CLAUDE)).id).toBe(CLAUDE);
    await expect(openai.models.retrieve('acme.nothing-v1')).rejects.toMatchObject({ status: 404 });
    const bad = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await expect(bad.models.list()).rejects.toMatchObject({ status: 401 });
  });

  it('bad input and Bedrock errors arrive as OpenAI APIErrors with 4xx statuses', async () => {
    await expect(openai.chat.completions.create({ model: 'nope.unknown-model', messages })).rejects.toMatchObject({
      status: 400,
    });
    await expect(openai.chat.completions.create({ model: CLAUDE, messages, temperature: 5 })).rejects.toMatchObject({
      status: 400,
      param: 'temperature',
    });
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'AccessDeniedException' } });
    await expect(openai.chat.completions.create({ model: CLAUDE, messages })).rejects.toMatchObject({ status: 403 });
  });

  it('a mid-stream failure makes the openai client throw after the partial text', async () => {
    h.emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 } });
    const stream = await openai.chat.completions.create({ model: CLAUDE, messages, max_tokens: 200, stream: true });
    let text = '';
    const failure = await (async () => {
      try {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(text.length).toBeGreaterThan(0);
    expect((failure as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ partial_text: text });
  });

  it('streams reasoning as delta.reasoning_content before the answer (DeepSeek R1)', async () => {
    const stream = await openai.chat.completions.create({
      model: 'us.deepseek.r1-v1:0',
      messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      max_tokens: 150,
      stream: true,
    });
    const order: string[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      if (delta?.reasoning_content) order.push('reasoning');
      if (delta?.content) order.push('content');
    }
    expect(order[0]).toBe('reasoning');
    expect(order).toContain('content');
    expect(order.lastIndexOf('reasoning')).toBeLessThan(order.indexOf('content'));
  });

  it('a used-up account quota is not retried by the openai client; a throttled request may be', async () => {
    // The client's own default: 2 retries of every 429 unless the server says x-should-retry.
    const retrying = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-test-key', maxRetries: 2 });
    h.emu.requestLog.clear();
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ServiceQuotaExceededException' }, times: 1 });
    const quota = await retrying.chat.completions.create({ model: CLAUDE, messages, max_tokens: 20 }).catch((e) => e);
    expect(quota).toBeInstanceOf(OpenAI.RateLimitError);
    expect(quota.headers.get('x-should-retry')).toBe('false');
    expect(h.emu.requestLog.entries()).toHaveLength(1);
    h.emu.faults.clear();
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 10 });
    const throttled = await openai.chat.completions.create({ model: CLAUDE, messages, max_tokens: 20 }).catch((e) => e);
    h.emu.faults.clear();
    expect(throttled).toBeInstanceOf(OpenAI.RateLimitError);
    expect(throttled.headers.get('x-should-retry')).toBe('true');
    expect(throttled.headers.get('retry-after')).not.toBeNull();
  });
});
