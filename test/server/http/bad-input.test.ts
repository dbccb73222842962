import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE, postJson, startHarness, type Harness } from './server-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    limits: { maxBodyBytes: 4096, maxPromptChars: 1000, maxMessages: 4, maxOutputTokens: 500 },
  });
});
afterAll(async () => {
  await h.close();
});

interface ErrorBody {
  error: { type: string; message: string; field?: string; fix?: string };
}

async function expectError(response: Response, status: number, field: string | undefined): Promise<ErrorBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = (await response.json()) as ErrorBody;
  expect(body.error.message).not.toMatch(/\n\s+at /); // never a stack
  expect(body.error.type).toEqual(expect.any(String));
  if (field !== undefined) {
    expect(body.error.field).toBe(field);
    expect(body.error.fix).toEqual(expect.any(String));
  }
  return body;
}

const user = (content: string) => ({ role: 'user', content });

describe('every class of bad input gets a 4xx naming the field and the fix', () => {
  const cases: [string, string, unknown, number, string][] = [
    ['malformed JSON', '/api/stream-completion', '{"prompt": "hi",', 400, 'body'],
    ['an empty body', '/api/chat', '', 400, 'body'],
    ['a JSON array', '/api/stream-completion', [1, 2], 400, 'body'],
    ['a missing prompt', '/api/stream-completion', { model: CLAUDE }, 400, 'prompt'],
    ['a prompt of the wrong type', '/api/stream-completion', { prompt: 42 }, 400, 'prompt'],
    ['an unknown field', '/api/stream-completion', { prompt: 'hi', max_tokens: 5 }, 400, 'max_tokens'],
    ['a fractional maxTokens', '/api/stream-completion', { prompt: 'hi', maxTokens: 1.5 }, 400, 'maxTokens'],
    ['maxTokens above the limit', '/api/stream-completion', { prompt: 'hi', maxTokens: 5000 }, 400, 'maxTokens'],
    ['temperature out of range', '/api/stream-completion', { prompt: 'hi', temperature: 3 }, 400, 'temperature'],
    ['a bad api value', '/api/stream-completion', { prompt: 'hi', api: 'grpc' }, 400, 'api'],
    ['an unknown model', '/api/stream-completion', { prompt: 'hi', model: 'acme.unknown-1' }, 400, 'model'],
    ['an oversize prompt', '/api/stream-completion', { prompt: 'x'.repeat(1500) }, 413, 'prompt'],
    ['an oversize body', '/api/stream-completion', { prompt: 'x'.repeat(5000) }, 413, 'body'],
    ['empty messages', '/api/chat', { messages: [] }, 400, 'messages'],
    ['a bad role', '/api/chat', { messages: [{ role: 'robot', content: 'hi' }] }, 400, 'messages[0].role'],
    [
      'empty content',
      '/api/chat',
      { messages: [user('hi'), { role: 'assistant', content: '' }] },
      400,
      'messages[1].content',
    ],
    [
      'too many messages',
      '/api/chat',
      { messages: [user('a'), user('b'), user('c'), user('d'), user('e')] },
      400,
      'messages',
    ],
    [
      'an assistant first turn',
      '/api/chat',
      { messages: [{ role: 'assistant', content: 'hi' }] },
      400,
      'messages[0].role',
    ],
    ['OpenAI: no model', '/v1/chat/completions', { messages: [user('hi')] }, 400, 'model'],
    ['OpenAI: n > 1', '/v1/chat/completions', { model: CLAUDE, messages: [user('hi')], n: 2 }, 400, 'n'],
    [
      'OpenAI: a tool that is not a function',
      '/v1/chat/completions',
      { model: CLAUDE, messages: [user('hi')], tools: [{}] },
      400,
      'tools[0].type',
    ],
    [
      'OpenAI: a remote image URL',
      '/v1/chat/completions',
      {
        model: CLAUDE,
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
        ],
      },
      400,
      'messages[0].content[0].image_url.url',
    ],
    [
      'OpenAI: a tool message without tool_call_id',
      '/v1/chat/completions',
      { model: CLAUDE, messages: [user('hi'), { role: 'tool', content: 'result' }] },
      400,
      'messages[1].tool_call_id',
    ],
    [
      'a content part of unknown type',
      '/api/chat',
      { messages: [{ role: 'user', content: [{ type: 'audio' }] }] },
      400,
      'messages[0].content[0].type',
    ],
  ];
  for (const [name, path, body, status, field] of cases) {
    it(`${name} → ${status} (${field})`, async () => {
      await expectError(await postJson(`${h.url}${path}`, body), status, field);
    });
  }

  it('a non-JSON content type → 415', async () => {
    const response = await fetch(`${h.url}/api/stream-completion`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'prompt=hi',
    });
    await expectError(response, 415, 'content-type');
  });

  it('unknown routes → 404, wrong methods → 405, both JSON', async () => {
    await expectError(await fetch(`${h.url}/api/nothing`), 404, undefined);
    await expectError(await fetch(`${h.url}/api/chat`), 405, undefined);
  });

  it('an unknown generation id → 404', async () => {
    await expectError(await fetch(`${h.url}/api/generations/does-not-exist/events`), 404, undefined);
  });

  it('Bedrock rejections before streaming map to HTTP statuses (no raw exception text)', async () => {
    const cases: [string, number][] = [
      ['AccessDeniedException', 403],
      ['ResourceNotFoundException', 404],
      ['ValidationException', 400],
    ];
    for (const [errorType, status] of cases) {
      h.emu.faults.add({ fault: { kind: 'error', errorType: errorType as 'ValidationException' } });
      await expectError(await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi' }), status, undefined);
    }
  });

  it('throttling after the retries → 429 with Retry-After', async () => {
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 3 }, times: 10 });
    const response = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi' });
    h.emu.faults.clear();
    const body = await expectError(response, 429, undefined);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(body.error.type).toBe('ThrottlingError');
  });

  it('a used-up account quota → 429 without Retry-After, saying retrying will not help', async () => {
    h.emu.requestLog.clear();
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ServiceQuotaExceededException' }, times: 1 });
    const response = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi' });
    const body = await expectError(response, 429, undefined);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(body.error).toMatchObject({ type: 'ThrottlingError', retryable: false });
    expect(body.error.fix).toMatch(/Service Quotas console.*retrying will not help/);
    expect(h.emu.requestLog.entries()).toHaveLength(1);
  });

  it('service failures → 5xx upstream statuses', async () => {
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ServiceUnavailableException' }, times: 10 });
    const unavailable = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi' });
    h.emu.faults.clear();
    expect([502, 503]).toContain(unavailable.status);
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ModelTimeoutException' }, times: 10 });
    const timeout = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi' });
    h.emu.faults.clear();
    expect(timeout.status).toBeGreaterThanOrEqual(500);
    expect(timeout.status).toBeLessThan(600);
  });
});
