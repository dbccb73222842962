/**
 * A viewer that stops reading never holds the generation back: it runs to its end into the generation
 * log, and the slow viewer, once it reads again, is served everything, in order, without a gap. (The SSE
 * writer's wait for `drain` is tested in sse-writer.test.ts.)
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, startHarness, type Harness } from './server-harness.js';
import { parseSse } from './sse-parse.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a slow SSE reader', () => {
  it('does not stall the generation and later gets every event from the stored log', async () => {
    const messages = [{ role: 'user', content: 'Tell the whole story in 150 sentences.' }];
    const body = JSON.stringify({ messages, maxTokens: 4_000 });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = http.request(`${h.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      request.on('response', resolve).on('error', reject);
      request.end(body);
    });
    // Stop reading at once.
    response.pause();
    expect(response.statusCode).toBe(200);

    // The upstream generation still completes while nobody reads.
    const upstream = await h.emu.requestLog.waitFor(
      (entry) => entry.operation === 'InvokeModelWithResponseStream',
      10_000,
    );
    expect(upstream.outcome).toBe('completed');
    expect(upstream.chunksSent).toBeGreaterThan(300);

    // Reading again yields the complete answer, in order, ending with `done`.
    let raw = '';
    response.setEncoding('utf8');
    response.on('data', (part: string) => (raw += part));
    response.resume();
    await new Promise((resolve) => response.once('end', resolve));
    const { events } = parseSse(raw);
    expect(events.at(-1)?.event).toBe('done');
    const ids = events.map((event) => Number(event.id));
    expect(ids).toEqual(ids.map((_, index) => index + 1));
    const text = events
      .filter((event) => event.event === 'text')
      .map((event) => (JSON.parse(event.data) as { text: string }).text)
      .join('');
    const client = clientFor(h.emu);
    const expected = await client.invoke({
      messages: [{ role: 'user', content: messages[0]!.content }],
      maxTokens: 4_000,
    });
    client.destroy();
    expect(text).toBe(expected.text);
  });
});
