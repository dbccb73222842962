/**
 * Input that used to cost an upstream call or a 500 (issue 14, defects 4 and 10): sampling values
 * outside the model family's range, model ids with control characters, bodies that are not UTF-8,
 * and repeated query parameters. Each is a 400 naming the problem, and nothing goes upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE, postJson, startHarness, type Harness } from './server-harness.js';
import { jsonPost } from './raw-request.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const upstreamCalls = () => h.emu.requestLog.entries().length;

async function expect400(response: { status: number; body: string }, field: string, mentions: RegExp) {
  expect(response.status).toBe(400);
  const body = JSON.parse(response.body) as { error: { field: string; message: string; fix: string } };
  expect(body.error.field).toBe(field);
  expect(body.error.message).toMatch(mentions);
  expect(body.error.fix).toEqual(expect.any(String));
}

describe('per-family sampling ranges, checked before Bedrock is called', () => {
  it.each([
    ['Claude temperature 1.5', { model: CLAUDE, temperature: 1.5 }, 'temperature', /Claude's range 0 to 1/],
    ['Claude via a profile id', { model: `us.${CLAUDE}`, temperature: 1.01 }, 'temperature', /Claude/],
    ['Claude topK 501', { model: CLAUDE, topK: 501 }, 'topK', /0 to 500/],
    ['Llama temperature 1.2', { model: 'meta.llama3-8b-instruct-v1:0', temperature: 1.2 }, 'temperature', /Llama/],
    [
      'Converse temperature 1.5',
      { model: 'ai21.jamba-1-5-mini-v1:0', api: 'converse', temperature: 1.5 },
      'temperature',
      /Converse/,
    ],
  ])('%s → 400', async (_name, fields, field, mentions) => {
    const before = upstreamCalls();
    await expect400(await jsonPost(h.url, '/api/stream-completion', { prompt: 'Hi', ...fields }), field, mentions);
    expect(upstreamCalls()).toBe(before);
  });

  it('a value inside a wider family range still passes (Jamba takes temperature up to 2)', async () => {
    const response = await postJson(`${h.url}/api/stream-completion`, {
      prompt: 'Hi',
      model: 'ai21.jamba-1-5-mini-v1:0',
      temperature: 1.5,
      maxTokens: 5,
    });
    expect(response.status).toBe(200);
    await response.text();
  });

  it('the OpenAI route checks the same ranges', async () => {
    const response = await jsonPost(h.url, '/v1/chat/completions', {
      model: CLAUDE,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 1.5,
    });
    await expect400(response, 'temperature', /Claude/);
  });
});

describe('model ids and encodings', () => {
  it.each([
    ['a NUL byte', `${CLAUDE}\u0000`],
    ['a newline', `${CLAUDE}\n`],
    ['a space', `anthropic.claude 3`],
    ['non-ASCII', 'anthropic.clаude-3-haiku-20240307-v1:0'],
  ])('a model id with %s → 400 (model)', async (_name, model) => {
    const before = upstreamCalls();
    await expect400(await jsonPost(h.url, '/api/stream-completion', { prompt: 'Hi', model }), 'model', /model id/);
    expect(upstreamCalls()).toBe(before);
  });

  it.each(['utf-16', 'latin1', 'iso-8859-1', '"utf-16le"'])('charset=%s → 400 naming the charset', async (charset) => {
    const body = Buffer.from(
      JSON.stringify({ prompt: 'Hi' }),
      charset.startsWith('"') || charset === 'utf-16' ? 'utf16le' : 'latin1',
    );
    const response = await jsonPost(h.url, '/api/stream-completion', body, {
      'content-type': `application/json; charset=${charset}`,
    });
    await expect400(response, 'content-type', /charset .* is not UTF-8/);
  });

  it('charset=utf-8 (any case) is accepted', async () => {
    const response = await jsonPost(
      h.url,
      '/api/stream-completion',
      { prompt: 'Hi', maxTokens: 5 },
      {
        'content-type': 'application/json; charset=UTF-8',
      },
    );
    expect(response.status).toBe(200);
  });

  it('invalid UTF-8 inside a string → 400, never forwarded with replacement characters', async () => {
    const before = upstreamCalls();
    const body = Buffer.concat([Buffer.from('{"prompt":"Hi '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    await expect400(await jsonPost(h.url, '/api/stream-completion', body), 'body', /not valid UTF-8/);
    expect(upstreamCalls()).toBe(before);
  });
});

describe('repeated query parameters', () => {
  it('lastEventId given twice → 400 naming it (it was a 500)', async () => {
    const started = await postJson(`${h.url}/api/chat`, { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 5 });
    const id = started.headers.get('x-generation-id')!;
    await started.text();
    const response = await fetch(`${h.url}/api/generations/${id}/events?lastEventId=1&lastEventId=2`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { field: 'lastEventId' } });
    const shared = await fetch(`${h.url}/api/generations/${id}/events?share=a&share=b`);
    expect(shared.status).toBe(400);
  });
});
