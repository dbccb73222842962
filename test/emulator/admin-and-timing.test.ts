/**
 * The admin API over HTTP (faults, request log, config), timing profiles (chunk sizes per family,
 * per-request speed) and the OpenAI-compatible text backend against a local SSE server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatibleBackend } from '../../src/emulator/backends/openai-compatible.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { countTokens } from '../../src/emulator/text/tokenizer.js';
import { CLAUDE, claudeBody, collectInvokeStream, sdkClient } from './support.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, speed: 'instant' });
});
afterAll(() => emulator.close());

const admin = (path: string, init?: RequestInit) => fetch(`${emulator.url}/_emulator${path}`, init);

describe('admin API', () => {
  it('scripts faults over HTTP and shows them in the request log', async () => {
    const added = await admin('/faults', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: { kind: 'error', errorType: 'AccessDeniedException' }, times: 1 }),
    });
    expect(added.status).toBe(201);
    const listed = (await (await admin('/faults')).json()) as { faults: unknown[] };
    expect(listed.faults).toHaveLength(1);

    const client = sdkClient(emulator.url);
    const failure = await collectInvokeStream(client, CLAUDE, claudeBody('Hi', 5)).catch((error: Error) => error);
    client.destroy();
    expect((failure as Error).name).toBe('AccessDeniedException');

    const log = (await (await admin('/requests')).json()) as { requests: { outcome: string; errorType: string }[] };
    expect(log.requests.at(-1)).toMatchObject({ outcome: 'fault', errorType: 'AccessDeniedException' });
    expect((await (await admin('/requests', { method: 'DELETE' })).json()) as object).toEqual({ cleared: true });
    expect(((await (await admin('/requests')).json()) as { requests: unknown[] }).requests).toHaveLength(0);
  });

  it('rejects a bad fault rule with a message naming the field', async () => {
    const response = await admin('/faults', {
      method: 'POST',
      body: JSON.stringify({ fault: { kind: 'stream-exception', exceptionType: 'nope', afterChunks: -1 } }),
    });
    expect(response.status).toBe(400);
    const { message } = (await response.json()) as { message: string };
    expect(message).toMatch(/fault\.exceptionType/);
    expect(message).toMatch(/fault\.afterChunks/);
    const malformed = await admin('/faults', { method: 'POST', body: '{nope' });
    expect(malformed.status).toBe(400);
  });

  it('lists models and changes speed at run time', async () => {
    const { models } = (await (await admin('/models')).json()) as { models: { modelId: string; family: string }[] };
    expect(models.some((model) => model.modelId === CLAUDE && model.family === 'anthropic-messages')).toBe(true);
    const families = new Set(models.map((model) => model.family));
    expect(families.size).toBeGreaterThanOrEqual(12);

    const put = await admin('/config', { method: 'PUT', body: JSON.stringify({ speed: 3 }) });
    expect(await put.json()).toEqual({ speed: 3 });
    expect(emulator.speed).toBe(3);
    await admin('/config', { method: 'PUT', body: JSON.stringify({ speed: 'instant' }) });
    expect(emulator.speed).toBe('instant');
    const bad = await admin('/config', { method: 'PUT', body: JSON.stringify({ speed: 'warp' }) });
    expect(bad.status).toBe(400);
  });
});

describe('timing profiles', () => {
  it('Claude sends several tokens a chunk, Llama one', async () => {
    const claude = await collectInvokeStream(
      sdkClient(emulator.url),
      CLAUDE,
      claudeBody('Tell it in 6 sentences.', 300),
    );
    const deltas = claude.chunks
      .filter((chunk) => chunk['type'] === 'content_block_delta')
      .map((chunk) => countTokens((chunk['delta'] as { text: string }).text));
    expect(deltas.slice(0, -1).every((tokens) => tokens >= 3 && tokens <= 8)).toBe(true);

    const client = sdkClient(emulator.url);
    const { InvokeModelWithResponseStreamCommand } = await import('@aws-sdk/client-bedrock-runtime');
    const llama = await client.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: 'meta.llama3-8b-instruct-v1:0',
        body: JSON.stringify({ prompt: 'Tell it in 4 sentences.', max_gen_len: 200 }),
      }),
    );
    const generations: string[] = [];
    for await (const event of llama.body ?? []) {
      const chunk = JSON.parse(Buffer.from(event.chunk!.bytes!).toString()) as { generation: string };
      generations.push(chunk.generation);
    }
    client.destroy();
    expect(generations.slice(0, -1).every((text) => countTokens(text) === 1)).toBe(true);
  });

  it('a per-model profile overrides the family default', async () => {
    const tuned = await startEmulator({
      port: 0,
      speed: 'instant',
      timing: { models: { [CLAUDE]: { tokensPerChunk: [1, 1] } } },
    });
    try {
      const client = sdkClient(tuned.url);
      const result = await collectInvokeStream(client, CLAUDE, claudeBody('Tell it in 3 sentences.', 200));
      client.destroy();
      const deltas = result.chunks.filter((chunk) => chunk['type'] === 'content_block_delta');
      expect(deltas.length).toBeGreaterThan(10);
      expect(deltas.every((chunk) => countTokens((chunk['delta'] as { text: string }).text) === 1)).toBe(true);
    } finally {
      await tuned.close();
    }
  });

  it('the x-emulator-speed header paces one request at the family profile', async () => {
    const response = await fetch(`${emulator.url}/model/${CLAUDE}/invoke-with-response-stream`, {
      method: 'POST',
      headers: { 'x-emulator-speed': 'realistic' },
      body: claudeBody('Hi', 10),
    });
    const frames = Buffer.from(await response.arrayBuffer()).toString('latin1');
    const lastBytes = [...frames.matchAll(/"bytes":"([^"]+)"/g)].at(-1)![1]!;
    const last = JSON.parse(Buffer.from(lastBytes, 'base64').toString()) as Record<string, Record<string, number>>;
    // Claude's profile waits about 600 ms (±25 %) for the first token; instant would wait none.
    expect(last['amazon-bedrock-invocationMetrics']!['firstByteLatency']).toBeGreaterThanOrEqual(450);
  });

  it('a slow first byte delays the response and is logged', async () => {
    emulator.faults.add({ fault: { kind: 'slow-first-byte', ms: 120 } });
    const started = Date.now();
    const response = await fetch(`${emulator.url}/model/${CLAUDE}/invoke-with-response-stream`, {
      method: 'POST',
      body: claudeBody('Hi', 10),
    });
    await response.arrayBuffer();
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    expect(emulator.requestLog.entries().at(-1)).toMatchObject({ fault: 'slow-first-byte', outcome: 'completed' });
  });
});

describe('OpenAI-compatible backend', () => {
  let upstream: http.Server;
  let upstreamUrl: string;
  const seen: { model: string; max_tokens: number; messages: unknown[] }[] = [];

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let body = '';
      req.on('data', (part) => (body += part));
      req.on('end', () => {
        seen.push(JSON.parse(body) as (typeof seen)[number]);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const piece of ['Real', ' words', ' from a', ' local model.']) {
          res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece }, finish_reason: null }] })}\n\n`);
        }
        res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it("keeps Bedrock's framing and token accounting around the local model's words", async () => {
    const local = await startEmulator({
      port: 0,
      speed: 'instant',
      backend: createOpenAICompatibleBackend({ baseUrl: upstreamUrl, model: 'llama3.2' }),
    });
    try {
      const client = sdkClient(local.url);
      const result = await collectInvokeStream(client, CLAUDE, claudeBody('Say something real.', 50));
      client.destroy();
      expect(result.text).toBe('Real words from a local model.');
      const metrics = result.chunks.at(-1)?.['amazon-bedrock-invocationMetrics'] as { outputTokenCount: number };
      expect(metrics.outputTokenCount).toBe(countTokens('Real words from a local model.'));
      expect(seen.at(-1)).toMatchObject({ model: 'llama3.2', max_tokens: 50 });
    } finally {
      await local.close();
    }
  });
});
