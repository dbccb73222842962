/**
 * A caller's own SDK client: its retries and ours must not multiply (one throttled call with the SDK's
 * defaults made 9 requests), and a handler whose bodies are web ReadableStreams (the SDK's
 * FetchHttpHandler, e.g. over an undici proxy agent) must stream.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { FetchHttpHandler } from '@smithy/fetch-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../../src/client/bedrock-streaming-client.js';
import { ThrottlingError } from '../../../src/errors.js';
import type { Emulator } from '../../../src/emulator/server.js';
import { CLAUDE, rejection, startTestEmulator, TEST_CREDENTIALS } from '../emulator-harness.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator.close();
});

function sdkClient(extra: Partial<ConstructorParameters<typeof BedrockRuntimeClient>[0]> = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    ...extra,
  });
}

describe("a caller's client", () => {
  it('with the SDK retrying (its default 3 attempts), the library adds none: 3 requests, not 9', async () => {
    const before = emulator.requestLog.entries().length;
    emulator.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 'always' });
    const client = new BedrockStreamingClient({ client: sdkClient(), modelId: CLAUDE, retry: { maxAttempts: 3 } });
    try {
      const error = await rejection(client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult());
      expect(error).toBeInstanceOf(ThrottlingError);
      expect(emulator.requestLog.entries().length - before).toBe(3);
    } finally {
      emulator.faults.clear();
    }
  });

  it('with the SDK not retrying (maxAttempts 1), the library retries: still 3 requests', async () => {
    const before = emulator.requestLog.entries().length;
    emulator.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 'always' });
    const client = new BedrockStreamingClient({
      client: sdkClient({ maxAttempts: 1 }),
      modelId: CLAUDE,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    try {
      await rejection(client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult());
      expect(emulator.requestLog.entries().length - before).toBe(3);
    } finally {
      emulator.faults.clear();
    }
  });

  it('streams through FetchHttpHandler, whose bodies are web ReadableStreams', async () => {
    const client = new BedrockStreamingClient({
      client: sdkClient({ requestHandler: new FetchHttpHandler() }),
      modelId: CLAUDE,
    });
    const stream = client.invokeStream({ prompt: 'Hello', maxTokens: 20 });
    let deltas = 0;
    for await (const delta of stream) if (delta.length > 0) deltas++;
    const result = await stream.finalResult();
    expect(deltas).toBeGreaterThan(0);
    expect(result.stopReason).not.toBe('aborted');
    expect(result.text.length).toBeGreaterThan(0);
  });
});
