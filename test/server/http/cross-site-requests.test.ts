/**
 * Other web pages must not drive this server through a visitor's browser (issue 14, defects 1 and 12):
 * a body that is not application/json is a 415 (text/plain is what a page may POST without a
 * preflight), a state-changing request from a foreign Origin is a 403, and with API keys off only the
 * Host names the server is reached as are answered (DNS rebinding).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './server-harness.js';
import { jsonPost, rawRequest } from './raw-request.js';

const chat = { messages: [{ role: 'user', content: 'Hello' }], maxTokens: 20 };

let open: Harness;
let withKeys: Harness;
beforeAll(async () => {
  open = await startHarness({ cors: ['https://app.example.com'], allowedHosts: ['chat.internal'] });
  withKeys = await startHarness({ apiKeys: ['k'] });
});
afterAll(async () => {
  await open.close();
  await withKeys.close();
});

const upstreamCalls = (h: Harness) => h.emu.requestLog.entries().length;

describe('bodies other than application/json', () => {
  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['text/plain with a charset', { 'content-type': 'text/plain;charset=UTF-8' }],
    ['a form', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['no content type', {}],
  ])('%s gets a 415 naming content-type, and nothing goes upstream', async (_name, headers) => {
    const before = upstreamCalls(open);
    const response = await rawRequest(open.url, {
      method: 'POST',
      path: '/api/chat',
      headers,
      body: JSON.stringify(chat),
    });
    expect(response.status).toBe(415);
    expect(JSON.parse(response.body)).toMatchObject({ error: { field: 'content-type' } });
    expect(upstreamCalls(open)).toBe(before);
  });
});

describe('Origin of state-changing requests', () => {
  it('refuses a foreign origin with a 403 naming origin, before anything goes upstream', async () => {
    const before = upstreamCalls(open);
    for (const path of ['/api/chat', '/api/stream-completion', '/v1/chat/completions']) {
      const response = await jsonPost(open.url, path, chat, { origin: 'https://evil.example' });
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: { type: 'forbidden_origin', field: 'origin' } });
    }
    const sandboxed = await jsonPost(open.url, '/api/chat', chat, { origin: 'null' });
    expect(sandboxed.status).toBe(403);
    expect(upstreamCalls(open)).toBe(before);
  });

  it("accepts the server's own origin (its page) and allowlisted ones", async () => {
    const own = await jsonPost(
      open.url,
      '/api/stream-completion',
      { prompt: 'Hi', maxTokens: 5 },
      { origin: open.url },
    );
    expect(own.status).toBe(200);
    const listed = await jsonPost(
      open.url,
      '/api/stream-completion',
      { prompt: 'Hi', maxTokens: 5 },
      {
        origin: 'https://app.example.com',
      },
    );
    expect(listed.status).toBe(200);
    expect(listed.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('leaves reads alone: a GET from a foreign origin gets its answer without CORS headers', async () => {
    const response = await rawRequest(open.url, { path: '/api/models', headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('Host (DNS rebinding) with API keys off', () => {
  const port = () => new URL(open.url).port;

  it('refuses a Host the server is not reached as, on every route', async () => {
    for (const path of ['/api/models', '/healthz', '/api/generations/x/events']) {
      const response = await rawRequest(open.url, { path, headers: { host: `rebind.evil.example:${port()}` } });
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body)).toMatchObject({ error: { type: 'forbidden_host', field: 'host' } });
    }
    const post = await jsonPost(open.url, '/api/chat', chat, { host: 'rebind.evil.example' });
    expect(post.status).toBe(403);
  });

  it('answers as any IP literal and localhost (which cannot be rebound), and as configured names', async () => {
    for (const host of [
      `127.0.0.1:${port()}`,
      `localhost:${port()}`,
      '[::1]:8080',
      '10.0.0.7',
      'chat.internal',
      `chat.internal:${port()}`,
    ]) {
      const response = await rawRequest(open.url, { path: '/api/models', headers: { host } });
      expect(response.status, host).toBe(200);
    }
    for (const host of ['127.0.0.1.evil.example', 'localhost.evil.example', 'chat.internal.evil.example']) {
      const response = await rawRequest(open.url, { path: '/api/models', headers: { host } });
      expect(response.status, host).toBe(403);
    }
  });

  it('with API keys on, the key is the protection and any Host is answered', async () => {
    const response = await rawRequest(withKeys.url, {
      path: '/api/models',
      headers: { host: 'api.example.com', authorization: 'Bearer k' },
    });
    expect(response.status).toBe(200);
  });
});
