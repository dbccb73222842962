import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE, postJson, startHarness, type Harness } from './server-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ apiKeys: ['secret-one', 'secret-two'], cors: ['https://app.example.com'] });
});
afterAll(async () => {
  await h.close();
});

const KEY = { authorization: 'Bearer secret-two' };

describe('API keys', () => {
  it('rejects a missing, malformed or wrong key with 401 naming the header', async () => {
    for (const headers of [{}, { authorization: 'secret-two' }, { authorization: 'Bearer secret-three' }]) {
      const response = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi' }, headers);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { field: string; fix: string } };
      expect(body.error.field).toBe('authorization');
      expect(body.error.fix).toContain('Bearer');
    }
  });

  it('accepts any configured key; health and metrics stay open', async () => {
    const response = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi', maxTokens: 10 }, KEY);
    expect(response.status).toBe(200);
    await response.text();
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/metrics`)).status).toBe(200);
  });
});

describe('CORS allowlist', () => {
  it('answers a preflight from an allowed origin, allowing Authorization and Last-Event-ID', async () => {
    const response = await fetch(`${h.url}/api/chat`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-allow-headers')).toContain('last-event-id');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('refuses a preflight from another origin and gives it no allow-origin header', async () => {
    const preflight = await fetch(`${h.url}/api/chat`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${h.url}/api/models`, { headers: { ...KEY, origin: 'https://evil.example.net' } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds the allow-origin header to real responses for allowed origins', async () => {
    const response = await fetch(`${h.url}/api/models`, { headers: { ...KEY, origin: 'https://app.example.com' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('access-control-expose-headers')).toContain('x-generation-id');
  });
});

describe('info routes and metrics', () => {
  it('GET /api/models lists models and every family with its streaming profile', async () => {
    const response = await fetch(`${h.url}/api/models`, { headers: KEY });
    const body = (await response.json()) as {
      defaultModel: string;
      models: { id: string; family: string; streaming: { tokensPerChunk: number[] } }[];
      families: { family: string }[];
    };
    expect(body.defaultModel).toBe(CLAUDE);
    expect(body.models.find((model) => model.id === CLAUDE)?.streaming.tokensPerChunk).toHaveLength(2);
    expect(body.families.map((family) => family.family)).toEqual(
      expect.arrayContaining(['anthropic', 'llama', 'deepseek']),
    );
  });

  it('GET /metrics exposes streams, time to first token, tokens, errors, retries, disconnects and quota waits', async () => {
    const ok = await postJson(`${h.url}/api/chat`, { messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 }, KEY);
    await ok.text();
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 1 });
    const retried = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi', maxTokens: 20 }, KEY);
    await retried.text();
    const text = await (await fetch(`${h.url}/metrics`)).text();
    expect(text).toContain('bedrock_server_active_streams{route="chat"} 0');
    expect(text).toMatch(/bedrock_server_time_to_first_token_seconds_count\{route="chat"\} [1-9]/);
    expect(text).toMatch(/bedrock_server_tokens_total\{kind="output"\} [1-9]/);
    expect(text).toMatch(/bedrock_server_retries_total [1-9]/);
    expect(text).toContain('bedrock_server_errors_total');
    expect(text).toContain('bedrock_server_client_disconnects_total');
    expect(text).toContain('bedrock_server_quota_waits_total');
    expect(text).toMatch(/bedrock_server_requests_total\{route="stream-completion",status="200"\} [1-9]/);
  });

  it('the health check says ok', async () => {
    expect(await (await fetch(`${h.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });

  it('every response carries a request id (kept when the caller sends a sane one)', async () => {
    const own = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'trace-42.a' } });
    expect(own.headers.get('x-request-id')).toBe('trace-42.a');
    const odd = await fetch(`${h.url}/healthz`, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
