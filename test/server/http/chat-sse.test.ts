import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE, clientFor, postJson, startHarness, type Harness } from './server-harness.js';
import { parseSse } from './sse-parse.js';
import { BedrockStreamingClient } from '../../../src/index.js';
import { startEmulator } from '../../../src/emulator/index.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const messages = [{ role: 'user', content: 'Tell me about the moon.' }];

describe('POST /api/chat (SSE)', () => {
  it('writes exact SSE bytes: start, text deltas, usage, done, each with an id', async () => {
    const library = clientFor(h.emu).invokeStream({ messages: messages as never, maxTokens: 40 });
    let usage = '';
    for await (const event of library.events()) {
      if (event.type === 'usage') {
        const { inputTokens, outputTokens, source } = event;
        usage = `event: usage\ndata: ${JSON.stringify({ inputTokens, outputTokens, source })}`;
      }
    }
    const result = await library.finalResult();

    const response = await postJson(`${h.url}/api/chat`, { messages, maxTokens: 40 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const id = response.headers.get('x-generation-id')!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const raw = await response.text();

    const blocks = raw.split('\n\n');
    expect(blocks.pop()).toBe(''); // every event ends with a blank line
    expect(blocks[0]).toBe(`id: 1\nevent: start\ndata: ${JSON.stringify({ id, model: CLAUDE })}`);
    // Text deltas may be merged when they arrive together (the generation log batches appends), so
    // each text block is checked for its exact framing and their texts must join to the answer.
    const texts = blocks.slice(1, -2).map((block, index) => {
      const match = new RegExp(`^id: ${index + 2}\nevent: text\ndata: (\\{"text":".*"\\})$`).exec(block);
      expect(match, block).not.toBeNull();
      return (JSON.parse(match![1]!) as { text: string }).text;
    });
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.join('')).toBe(result.text);
    expect(blocks.at(-2)).toBe(`id: ${blocks.length - 1}\n${usage}`);
    const done = blocks.at(-1)!;
    expect(done).toMatch(new RegExp(`^id: ${blocks.length}\nevent: done\ndata: \\{.*\\}$`));
    const doneData = JSON.parse(done.split('data: ')[1]!) as Record<string, unknown>;
    expect(doneData).toMatchObject({ stopReason: result.stopReason, usage: result.usage });
    expect(doneData.metrics).toEqual(expect.objectContaining({ chunkCount: expect.any(Number) }));
  });

  it('a failure before any text is an HTTP status (429 with Retry-After), not a stream', async () => {
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 2 }, times: 10 });
    const response = await postJson(`${h.url}/api/chat`, { messages });
    h.emu.faults.clear();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('x-generation-id')).toEqual(expect.any(String));
    const body = (await response.json()) as { error: { type: string; retryable: boolean } };
    expect(body.error).toMatchObject({ type: 'ThrottlingError', retryable: true });
  });

  it('a mid-stream Bedrock error arrives as a typed error event with the partial text', async () => {
    h.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 8, message: 'boom' },
    });
    const response = await postJson(`${h.url}/api/chat`, { messages, maxTokens: 200 });
    expect(response.status).toBe(200);
    const { events } = parseSse(await response.text());
    const texts = events
      .filter((event) => event.event === 'text')
      .map((event) => (JSON.parse(event.data) as { text: string }).text);
    expect(texts.length).toBeGreaterThan(0);
    const last = events.at(-1)!;
    expect(last.event).toBe('error');
    const error = JSON.parse(last.data) as Record<string, unknown>;
    expect(error).toMatchObject({ partialText: texts.join(''), retryable: expect.any(Boolean) });
    expect(error.type).toMatch(/Error$/);
    expect(String(error.message)).not.toMatch(/\n\s+at /);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
  });

  it('streams reasoning as its own events (DeepSeek R1)', async () => {
    const response = await postJson(`${h.url}/api/chat`, { messages, model: 'us.deepseek.r1-v1:0', maxTokens: 120 });
    expect(response.status).toBe(200);
    const { events } = parseSse(await response.text());
    const types = events.map((event) => event.event);
    expect(types).toContain('reasoning');
    expect(types.indexOf('reasoning')).toBeLessThan(types.indexOf('text'));
    expect(types.at(-1)).toBe('done');
  });

  it('a retried throttle shows as a retry event before the text, then the stream completes', async () => {
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 1 });
    const response = await postJson(`${h.url}/api/chat`, { messages, maxTokens: 30 });
    expect(response.status).toBe(200);
    const { events } = parseSse(await response.text());
    const types = events.map((event) => event.event);
    expect(types.slice(0, 2)).toEqual(['start', 'retry']);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ attempt: 1, error: 'ThrottlingError' });
    expect(types).toContain('text');
    expect(types.at(-1)).toBe('done');
  });

  it('resume: true continues an interrupted answer, so the viewer gets the whole text and done', async () => {
    const body = { messages, maxTokens: 120, resume: true };
    const whole = parseSse(await (await postJson(`${h.url}/api/chat`, body)).text()).events;
    h.emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 8 } });
    const resumed = parseSse(await (await postJson(`${h.url}/api/chat`, body)).text()).events;
    const text = (events: typeof whole) =>
      events
        .filter((event) => event.event === 'text')
        .map((event) => (JSON.parse(event.data) as { text: string }).text)
        .join('');
    expect(h.emu.requestLog.entries().some((entry) => entry.outcome === 'fault')).toBe(true);
    expect(resumed.at(-1)!.event).toBe('done');
    expect(text(resumed)).toBe(text(whole));
  });
});

describe('a retry with a noticeable wait', () => {
  it('reaches the client at once (headers sent, retry event) instead of being held until the text', async () => {
    const emu = await startEmulator({ port: 0, speed: 'instant' });
    const client = new BedrockStreamingClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      retry: { baseDelayMs: 1500, maxDelayMs: 1500 },
    });
    const slow = await startHarness({ client }, emu);
    try {
      emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 1 }, times: 1 });
      const response = await postJson(`${slow.url}/api/chat`, { messages, maxTokens: 30 });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let seen = '';
      // Before the retry's wait is over, the client already has the retry event and no text.
      while (!seen.includes('event: retry')) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value, { stream: true });
      }
      expect(seen).toContain('event: retry');
      expect(seen).not.toContain('event: text');
      expect(emu.requestLog.entries()).toHaveLength(1);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value, { stream: true });
      }
      expect(parseSse(seen).events.at(-1)!.event).toBe('done');
    } finally {
      await slow.close();
      await emu.close();
    }
  });
});
