/**
 * A connection torn down before the response headers, GOAWAY, REFUSED_STREAM and a low stream limit,
 * from a local HTTP/2 server that does each on purpose. Before the fixes: a bare non-retryable error
 * ("Unexpected error"), a call waiting the whole first-chunk timeout, and a burst queued behind a full
 * connection.
 */
import http2 from 'node:http2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../../src/client/bedrock-streaming-client.js';
import { ConnectionError } from '../../../src/errors.js';
import { CLAUDE, TEST_CREDENTIALS } from '../emulator-harness.js';
import { startH2TestServer, type Behaviour, type H2TestServer } from './h2-test-server.js';

const { NGHTTP2_NO_ERROR, NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;

let server: H2TestServer;
let client: BedrockStreamingClient;

function clientOf(target: H2TestServer): BedrockStreamingClient {
  return new BedrockStreamingClient({
    endpoint: target.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    modelId: CLAUDE,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    // Generous: a call that waits for it has failed the test.
    timeouts: { firstChunkMs: 20_000 },
  });
}

afterEach(async () => {
  client?.destroy();
  await server?.close();
});

async function answerAfter(behaviour: Behaviour) {
  server.script(behaviour);
  const stream = client.invokeStream({ prompt: 'Hello', maxTokens: 5 });
  const retried: unknown[] = [];
  for await (const event of stream.events()) if (event.type === 'retry') retried.push(event.error);
  return { result: await stream.finalResult(), retried };
}

describe('a stream closed before its response headers', () => {
  beforeEach(async () => {
    server = await startH2TestServer();
    client = clientOf(server);
  });

  for (const [name, behaviour] of [
    ['RST_STREAM NO_ERROR', { kind: 'rst', code: NGHTTP2_NO_ERROR }],
    ['RST_STREAM CANCEL', { kind: 'rst', code: NGHTTP2_CANCEL }],
    ['GOAWAY followed by a close', { kind: 'goaway-close' }],
    ['the session destroyed', { kind: 'destroy' }],
  ] as const) {
    it(`${name}: a ConnectionError, retried on a fresh session`, async () => {
      const { result, retried } = await answerAfter(behaviour);
      expect(result.text).toBe('Hello there');
      // GOAWAY with last stream 0 refuses the stream: resent without spending an attempt.
      if (behaviour.kind === 'goaway-close') expect(result.attempts).toBeLessThanOrEqual(2);
      else {
        expect(result.attempts).toBe(2);
        expect(retried[0]).toBeInstanceOf(ConnectionError);
        expect((retried[0] as ConnectionError).retryable).toBe(true);
      }
    });
  }

  it('a GOAWAY that leaves the connection open: the stream it processed is answered, new ones go elsewhere', async () => {
    const { result } = await answerAfter({ kind: 'goaway-open' });
    expect(result.text).toBe('Hello there');
    expect(result.attempts).toBe(1);
    expect(server.sessions).toBe(1);
    const next = await client.invokeStream({ prompt: 'again', maxTokens: 5 }).finalResult();
    expect(next.attempts).toBe(1);
    expect(server.sessions).toBe(2);
  });

  it('REFUSED_STREAM is resent on another session without spending a retry attempt', async () => {
    const { result, retried } = await answerAfter({ kind: 'rst', code: NGHTTP2_REFUSED_STREAM });
    expect(result.attempts).toBe(1);
    expect(retried).toEqual([]);
    expect(server.requests).toBe(2);
  });
});

describe("the server's SETTINGS_MAX_CONCURRENT_STREAMS", () => {
  it('a burst fills each new session only up to the advertised limit', async () => {
    server = await startH2TestServer({ maxConcurrentStreams: 2 });
    client = clientOf(server);
    // Every request is held until all five reached the server: only possible with three sessions.
    server.script(...Array.from({ length: 5 }, () => ({ kind: 'hold' }) as const));
    const calls = Array.from({ length: 5 }, () => client.invokeStream({ prompt: 'burst', maxTokens: 5 }).finalResult());
    await until(() => server.requests === 5);
    server.releaseHeld();
    const results = await Promise.all(calls);
    expect(results.map((result) => result.attempts)).toEqual([1, 1, 1, 1, 1]);
    expect(server.sessions).toBe(3);
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}
