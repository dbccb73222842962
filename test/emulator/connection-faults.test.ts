/**
 * The emulator's connection-level faults, seen by the library's client over real sockets: a frozen
 * (half-open) connection, GOAWAY, RST_STREAM with a chosen code, a lower stream limit, and API keys.
 */
import http2 from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { ConnectionError } from '../../src/errors.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';

const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';
let emulator: Emulator | undefined;
let client: BedrockStreamingClient | undefined;

afterEach(async () => {
  client?.destroy();
  await emulator?.close();
});

async function setUp(options: EmulatorOptions = {}, firstChunkMs = 20_000): Promise<void> {
  emulator = await startEmulator({ port: 0, speed: 'instant', ...options });
  client = new BedrockStreamingClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    modelId: CLAUDE,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    timeouts: { firstChunkMs },
  });
}

async function call() {
  const stream = client!.invokeStream({ prompt: 'Hello', maxTokens: 10 });
  const retried: unknown[] = [];
  for await (const event of stream.events()) if (event.type === 'retry') retried.push(event.error);
  return { result: await stream.finalResult(), retried };
}

describe('connection faults', () => {
  it('freeze: the connection goes silent; the stalled call is retried once on a new connection', async () => {
    await setUp({}, 1_000);
    emulator!.faults.add({ fault: { kind: 'freeze' } });
    const { result } = await call();
    expect(result.attempts).toBe(2);
    expect(emulator!.requestLog.entries().map((entry) => entry.fault ?? 'none')).toEqual(['freeze', 'none']);
  });

  it('goaway: the unprocessed stream is sent again on a new connection without spending an attempt', async () => {
    await setUp();
    emulator!.faults.add({ fault: { kind: 'goaway' } });
    const { result, retried } = await call();
    expect(result.attempts).toBe(1);
    expect(retried).toEqual([]);
    expect(emulator!.requestLog.entries()).toHaveLength(2);
  });

  it('goaway then close: a retried ConnectionError or a resend, never a failure', async () => {
    await setUp();
    emulator!.faults.add({ fault: { kind: 'goaway', close: true } });
    const { result } = await call();
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('rst-stream with CANCEL before the headers: a ConnectionError, retried', async () => {
    await setUp();
    emulator!.faults.add({ fault: { kind: 'rst-stream', code: http2.constants.NGHTTP2_CANCEL } });
    const { result, retried } = await call();
    expect(result.attempts).toBe(2);
    expect(retried[0]).toBeInstanceOf(ConnectionError);
  });

  it('rst-stream with REFUSED_STREAM: resent, no attempt spent', async () => {
    await setUp();
    emulator!.faults.add({ fault: { kind: 'rst-stream', code: http2.constants.NGHTTP2_REFUSED_STREAM } });
    expect((await call()).result.attempts).toBe(1);
  });

  it('a lower stream limit: a burst over it is answered on more connections, every call on its first attempt', async () => {
    await setUp({ maxConcurrentStreams: 2 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => client!.invokeStream({ prompt: 'burst', maxTokens: 10 }).finalResult()),
    );
    expect(results.map((result) => result.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
