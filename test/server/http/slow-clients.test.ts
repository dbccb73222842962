/**
 * Slow clients are bounded (issue 14, defect 3): a body that never finishes gets a 408 after
 * `limits.bodyTimeoutMs` and its socket is closed; the node:http server's own header and request
 * timeouts back that up (Node's requestTimeout covers receiving the request, not a long SSE answer).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startHarness, type Harness } from './server-harness.js';
import { SseReader } from './sse-parse.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ limits: { bodyTimeoutMs: 200 } });
});
afterAll(async () => {
  await h.close();
});

/** Sends `head` and part of a body, never the rest; resolves with what the server said and that it closed. */
function unfinishedBody(head: string, partial: string): Promise<string> {
  const { port, hostname } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(head + partial));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('request bodies that never finish', () => {
  const host = () => new URL(h.url).host;

  it('a short Content-Length body gets a 408 and the socket is closed', async () => {
    const before = h.emu.requestLog.entries().length;
    const answer = await unfinishedBody(
      `POST /api/chat HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
      '{"messages":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"field":"body"');
    expect(h.emu.requestLog.entries().length).toBe(before);
  });

  it('a chunked body that never ends gets a 408 and the socket is closed', async () => {
    const answer = await unfinishedBody(
      `POST /api/stream-completion HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      '5\r\n{"pro\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("the server's own timeouts are finite: headers, whole request, idle keep-alive", () => {
    const { server } = h.server;
    expect(server.headersTimeout).toBeGreaterThan(0);
    expect(server.requestTimeout).toBeGreaterThan(0);
    expect(server.requestTimeout).toBeGreaterThanOrEqual(server.headersTimeout);
    expect(server.keepAliveTimeout).toBeGreaterThan(0);
  });

  it('an SSE answer lives longer than the body timeout (the timeouts bound the request, not the response)', async () => {
    // A stall twice the body timeout in the middle of the answer.
    h.emu.faults.add({ fault: { kind: 'stall', afterChunks: 2, ms: 400 } });
    const reader = new SseReader(
      await postJson(`${h.url}/api/chat`, { messages: [{ role: 'user', content: 'Tell a story' }], maxTokens: 60 }),
    );
    const events = await reader.readAll();
    expect(events.at(-1)?.event).toBe('done');
    expect(h.emu.requestLog.entries().at(-1)).toMatchObject({ outcome: 'completed', fault: 'stall' });
  });
});
