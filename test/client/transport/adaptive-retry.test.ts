/**
 * `retry.mode: 'adaptive'` (or AWS_RETRY_MODE=adaptive): our own client keeps the SDK's retry step with
 * one attempt, so the SDK's adaptive rate limiter paces every request (none is rebuilt outside the
 * pipeline), while retries stay the library's: a throttled call makes two requests, not more.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/server.js';
import { clientFor, startTestEmulator } from '../emulator-harness.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});

afterAll(async () => {
  await emulator.close();
});

function countSends(sdk: BedrockRuntimeClient): { sends: number } {
  const counter = { sends: 0 };
  const send = sdk.send.bind(sdk) as (...args: unknown[]) => unknown;
  (sdk as unknown as { send: unknown }).send = (...args: unknown[]) => {
    counter.sends++;
    return send(...args);
  };
  return counter;
}

describe('adaptive retry mode', () => {
  it("keeps every request in the SDK's pipeline with its adaptive strategy, one attempt each", async () => {
    const client = clientFor(emulator, { retry: { mode: 'adaptive', baseDelayMs: 1, maxDelayMs: 5 } });
    const counter = countSends(client.sdkClient);
    try {
      for (let i = 0; i < 3; i++) await client.invokeStream({ prompt: `call ${i}`, maxTokens: 5 }).finalResult();
      expect(counter.sends).toBe(3);
      const strategy = (await client.sdkClient.config.retryStrategy()) as { mode?: string; maxAttempts?: unknown };
      expect(strategy.mode).toBe('adaptive');

      const before = emulator.requestLog.entries().length;
      emulator.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' } });
      const result = await client.invokeStream({ prompt: 'throttled once', maxTokens: 5 }).finalResult();
      expect(result.attempts).toBe(2);
      expect(emulator.requestLog.entries().length - before).toBe(2);
    } finally {
      client.destroy();
    }
  });

  it('standard mode (the default) rebuilds streaming requests after the first', async () => {
    const client = clientFor(emulator);
    const counter = countSends(client.sdkClient);
    try {
      for (let i = 0; i < 3; i++) await client.invokeStream({ prompt: `call ${i}`, maxTokens: 5 }).finalResult();
      expect(counter.sends).toBe(1);
    } finally {
      client.destroy();
    }
  });
});
