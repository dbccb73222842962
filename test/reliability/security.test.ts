/**
 * Security over the whole path (issue 14, suite part 6): API keys on every route, one key against
 * another key's generation, forged and cross-generation share tokens, CORS from an unlisted origin,
 * oversize bodies; then every log line and response body the suite captured is searched for the API
 * keys, the share secret, AWS credentials and prompt text. The upstream leg is verified too: the
 * emulator checks the Bedrock API key (Bearer) the server's client sends.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { BedrockStreamingClient } from '../../src/index.js';
import { createServer, type BedrockServer } from '../../src/server/index.js';
import { rawRequest, type RawResponse } from '../server/http/raw-request.js';

const KEY_A = 'key-A-SECRET-7f3a';
const KEY_B = 'key-B-SECRET-91c2';
const SHARE_SECRET = 'share-SECRET-55aa';
const BEDROCK_KEY = 'bedrock-api-key-SECRET-0b0b';
const PROMPT = 'PROMPT-SECRET-lighthouse';
const SECRETS = [KEY_A, KEY_B, SHARE_SECRET, BEDROCK_KEY, PROMPT];

let emu: Emulator;
let server: BedrockServer;
let url: string;
let logs = '';
const bodies: string[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0, speed: 'instant', apiKeys: [BEDROCK_KEY] });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  server = createServer({
    client: new BedrockStreamingClient({
      endpoint: emu.url,
      region: 'us-east-1',
      token: BEDROCK_KEY,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    }),
    apiKeys: [KEY_A, KEY_B],
    shareSecret: SHARE_SECRET,
    cors: ['https://app.example.com'],
    limits: { maxBodyBytes: 2_048 },
    logger: pino({ level: 'debug' }, sink),
    disconnectGraceMs: 0,
  });
  url = await server.listen(0);
});
afterAll(async () => {
  await server.close({ graceMs: 500 });
  server.context.client.destroy();
  await emu.close();
});

async function call(
  method: string,
  path: string,
  key?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const response = await rawRequest(url, {
    method,
    path,
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  bodies.push(response.body);
  return response;
}

const chatBody = { messages: [{ role: 'user', content: PROMPT }], maxTokens: 30, detached: true };

async function startGeneration(key: string): Promise<string> {
  const response = await call('POST', '/api/chat', key, chatBody);
  expect(response.status).toBe(200);
  return response.headers['x-generation-id'] as string;
}

describe('API keys', () => {
  const routes: [string, string][] = [
    ['POST', '/api/chat'],
    ['POST', '/api/stream-completion'],
    ['POST', '/v1/chat/completions'],
    ['GET', '/v1/models'],
    ['GET', '/api/models'],
    ['GET', '/api/generations/x/events'],
    ['POST', '/api/generations/x/cancel'],
    ['POST', '/api/generations/x/share'],
  ];
  it.each(routes)('%s %s: no key and a wrong key get 401 naming authorization', async (method, path) => {
    for (const key of [undefined, 'wrong-key', `${KEY_A}x`]) {
      const response = await call(method, path, key, method === 'POST' ? chatBody : undefined);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body)).toMatchObject({ error: { field: 'authorization' } });
    }
  });

  it('the upstream leg authenticates with the Bedrock API key, which the emulator checks', async () => {
    const response = await call('POST', '/api/stream-completion', KEY_A, { prompt: PROMPT, maxTokens: 10 });
    expect(response.status).toBe(200);
    const wrong = new BedrockStreamingClient({
      endpoint: emu.url,
      region: 'us-east-1',
      token: 'not-the-key',
      retry: { maxAttempts: 1 },
    });
    await expect(
      wrong.invoke({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', prompt: 'Hi', maxTokens: 5 }),
    ).rejects.toMatchObject({ name: 'AccessDeniedError' });
    wrong.destroy();
  });
});

describe("one key against another key's generation", () => {
  it('reading, cancelling and sharing it all get the same 404 as an unknown id', async () => {
    const id = await startGeneration(KEY_A);
    const unknown = await call('GET', '/api/generations/unknown-id/events', KEY_B);
    for (const [method, path] of [
      ['GET', `/api/generations/${id}/events`],
      ['POST', `/api/generations/${id}/cancel`],
      ['POST', `/api/generations/${id}/share`],
    ] as const) {
      const response = await call(method, path, KEY_B);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body).error.message).toBe(JSON.parse(unknown.body).error.message);
    }
    expect((await call('GET', `/api/generations/${id}/events`, KEY_A)).status).toBe(200);
  });
});

describe('share tokens', () => {
  it('forged, altered and cross-generation tokens get 404; the real one reads and nothing more', async () => {
    const id = await startGeneration(KEY_A);
    const other = await startGeneration(KEY_A);
    const shared = JSON.parse((await call('POST', `/api/generations/${id}/share`, KEY_A)).body) as { share: string };
    const otherToken = (
      JSON.parse((await call('POST', `/api/generations/${other}/share`, KEY_A)).body) as { share: string }
    ).share;
    const forged = [
      'A'.repeat(43),
      otherToken,
      shared.share.replaceAll('-', '+').replaceAll('_', '/'),
      `${shared.share}=`,
      shared.share.slice(1),
    ];
    // (The +/ spelling equals the token when it has neither - nor _: that one is not a forgery.)
    for (const token of forged.filter((candidate) => candidate !== shared.share)) {
      expect((await call('GET', `/api/generations/${id}/events?share=${encodeURIComponent(token)}`)).status).toBe(404);
    }
    expect((await call('GET', `/api/generations/${id}/events?share=${shared.share}`)).status).toBe(200);
    // A share token is not a key: cancel and share still need the owner's key.
    expect((await call('POST', `/api/generations/${id}/cancel?share=${shared.share}`)).status).toBe(401);
  });
});

describe('CORS and sizes', () => {
  it('an unlisted origin gets no CORS grant, a 403 preflight, and a refused POST', async () => {
    const preflight = await call('OPTIONS', '/api/chat', undefined, undefined, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const post = await call('POST', '/api/chat', KEY_A, chatBody, { origin: 'https://evil.example' });
    expect(post.status).toBe(403);
    const listed = await call('OPTIONS', '/api/chat', undefined, undefined, {
      origin: 'https://app.example.com',
      'access-control-request-method': 'POST',
    });
    expect(listed.status).toBe(204);
  });

  it('an oversize body gets 413 naming body, before anything goes upstream', async () => {
    const before = emu.requestLog.entries().length;
    const response = await call('POST', '/api/chat', KEY_A, {
      messages: [{ role: 'user', content: 'x'.repeat(5_000) }],
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ error: { field: 'body' } });
    expect(emu.requestLog.entries().length).toBe(before);
  });
});

describe('what the suite captured', () => {
  it('holds no API key, share secret, Bedrock key or prompt text in any log line or response', () => {
    expect(logs).toContain('request done'); // the logs were captured
    const responses = bodies.join('\n');
    for (const secret of SECRETS) {
      expect(logs.includes(secret), `log holds ${secret}`).toBe(false);
      expect(responses.includes(secret), `a response holds ${secret}`).toBe(false);
    }
    expect(logs).not.toMatch(/secretAccessKey|accessKeyId/);
  });
});
