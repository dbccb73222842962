import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { formatSseEvent, SseWriter } from '../../../src/server/http/sse-writer.js';
import { postJson, startHarness } from './server-harness.js';
import { parseSse, SseReader } from './sse-parse.js';

describe('formatSseEvent', () => {
  it('splits multi-line data into several data: lines and strips CR/LF from event and id', () => {
    expect(formatSseEvent('4\r\n2', 'te\nxt', 'a\nb\r\nc\rd')).toBe(
      'id: 42\nevent: text\ndata: a\ndata: b\ndata: c\ndata: d\n\n',
    );
    expect(parseSse(formatSseEvent('7', 'text', 'one\ntwo')).events).toEqual([
      { id: '7', event: 'text', data: 'one\ntwo' },
    ]);
  });

  it('writes single-line JSON as one data: line', () => {
    expect(formatSseEvent('1', 'text', '{"text":"hi\\nthere"}')).toBe(
      'id: 1\nevent: text\ndata: {"text":"hi\\nthere"}\n\n',
    );
  });
});

describe('SseWriter over real HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function serve(handler: (res: ServerResponse) => Promise<void>): Promise<string> {
    server = createServer((_req, res) => void handler(res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('sends heartbeat comments while silent', async () => {
    let finish: () => void = () => undefined;
    const url = await serve(async (res) => {
      const writer = new SseWriter(res, { heartbeatMs: 10 });
      writer.send('1', 'start', '{}');
      await new Promise<void>((resolve) => (finish = resolve));
      writer.send('2', 'done', '{}');
      writer.end();
    });
    const response = await fetch(url);
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let raw = '';
    while (!raw.includes(': ping\n\n')) raw += decoder.decode((await reader.read()).value);
    finish();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      raw += decoder.decode(value);
    }
    expect(parseSse(raw).events.map((event) => event.event)).toEqual(['start', 'done']);
    expect(parseSse(raw).comments).toContain('ping');
  });

  it('respects drain: a reader that does not read makes send() wait instead of buffering without bound', async () => {
    let waited = -1;
    let written = 0;
    const url = await serve(async (res) => {
      const writer = new SseWriter(res, { heartbeatMs: 0 });
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 10_000; i += 1) {
        const full = writer.send(String(i), 'text', big);
        written += 1;
        if (full !== undefined) {
          waited = i;
          await full;
          break;
        }
      }
      writer.end();
    });
    const response = await fetch(url);
    const reader = response.body!.getReader();
    await reader.read();
    while (waited < 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(waited).toBeLessThan(1000); // bounded: it stopped long before writing everything
    for (;;) if ((await reader.read()).done) break;
    expect(written).toBe(waited + 1);
  });
});

describe('chat stream heartbeats and logs', () => {
  it('sends : ping comments while the model is silent (a stalled upstream)', async () => {
    const h = await startHarness({ heartbeatMs: 20, headersDelayMs: 0 });
    try {
      h.emu.faults.add({ fault: { kind: 'stall', afterChunks: 4, ms: 300 } });
      const reader = new SseReader(
        await postJson(`${h.url}/api/chat`, { messages: [{ role: 'user', content: 'hi' }] }),
      );
      await reader.readAll();
      const { events, comments } = parseSse(reader.raw);
      expect(comments).toContain('ping');
      expect(events.at(-1)!.event).toBe('done');
    } finally {
      await h.close();
    }
  });

  it('logs no prompt text and no key unless logPrompts is on', async () => {
    for (const logPrompts of [false, true]) {
      let logs = '';
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          logs += chunk.toString();
          callback();
        },
      });
      const h = await startHarness({ logger: pino({ level: 'debug' }, sink), logPrompts, apiKeys: ['key-SECRET-123'] });
      try {
        const headers = { authorization: 'Bearer key-SECRET-123' };
        await (await postJson(`${h.url}/api/stream-completion`, { prompt: 'PROMPT-SECRET-abc' }, headers)).text();
        await (
          await postJson(`${h.url}/api/chat`, { messages: [{ role: 'user', content: 'PROMPT-SECRET-def' }] }, headers)
        ).text();
      } finally {
        await h.close();
      }
      expect(logs).toContain('request done');
      expect(logs).not.toContain('key-SECRET-123');
      expect(logs).not.toMatch(/secretAccessKey|accessKeyId/);
      expect(logs.includes('PROMPT-SECRET-abc') && logs.includes('PROMPT-SECRET-def')).toBe(logPrompts);
    }
  });
});
