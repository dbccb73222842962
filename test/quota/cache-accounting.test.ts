/**
 * The quota limiter settles as Bedrock's token burndown does (bedrock-wire.md §6): input + cache writes +
 * output x burndown, never cache reads. The real limiter and real numbers: the books' available tokens
 * after each settlement, directly and through the client against the emulator's prompt cache.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InferenceUsage } from '../../src/client/types.js';
import { startEmulator } from '../../src/emulator/server.js';
import { createQuotaLimiter, type BedrockQuotaLimiter } from '../../src/quota/index.js';
import { handbook } from '../support/long-prefix.js';
import { quotaClient } from './harness.js';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const QUOTA = 100_000;
let limiter: BedrockQuotaLimiter | undefined;

afterEach(async () => {
  await limiter?.close();
  limiter = undefined;
});

/** Tokens used so far (an hour-long period refills well under one token during a test). */
async function used(quota: BedrockQuotaLimiter): Promise<number> {
  const [model] = (await quota.snapshot()).models;
  return Math.round(QUOTA - (model?.tokensAvailable ?? QUOTA));
}

describe('cache accounting in the limiter', () => {
  it('a cache read costs nothing, a cache write costs like input, output x burndown', async () => {
    limiter = createQuotaLimiter({ tokensPerMinute: QUOTA, periodMs: 3_600_000, burndown: 5 });
    const request = { modelId: MODEL, estimatedInputTokens: 5_000, maxTokens: 200 };

    const write = await limiter.acquire(request);
    expect(await used(limiter)).toBe(5_000 + 200 * 5); // the reservation
    await write.settle({ inputTokens: 12, outputTokens: 30, cacheWriteInputTokens: 4_800, cacheReadInputTokens: 0 });
    expect(await used(limiter)).toBe(12 + 4_800 + 30 * 5);

    const read = await limiter.acquire(request);
    await read.settle({ inputTokens: 12, outputTokens: 30, cacheReadInputTokens: 4_800, cacheWriteInputTokens: 0 });
    expect(await used(limiter)).toBe(12 + 4_800 + 30 * 5 + (12 + 30 * 5));

    // Without cache fields the usage settles as before (the seam stays compatible).
    const plain = await limiter.acquire(request);
    await plain.settle({ inputTokens: 100, outputTokens: 10 });
    expect(await used(limiter)).toBe(12 + 4_800 + 30 * 5 + (12 + 30 * 5) + (100 + 10 * 5));
  });
});

describe('cache accounting through the client', () => {
  it("a repeated long prefix read from the emulator's cache costs the books only the new input and output", async () => {
    const emu = await startEmulator({ port: 0, speed: 'instant' });
    const quota = createQuotaLimiter({ tokensPerMinute: QUOTA, periodMs: 3_600_000, burndown: 5 });
    limiter = quota;
    const client = quotaClient(emu, { modelId: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', quota });
    try {
      const request = { system: handbook('quota'), cachePoints: { system: true }, prompt: 'Rule 9?', maxTokens: 200 };
      const cost = (usage: InferenceUsage) =>
        usage.inputTokens + (usage.cacheWriteInputTokens ?? 0) + usage.outputTokens * 5;

      const write = (await client.invokeStream(request).finalResult()).usage;
      expect(write.cacheWriteInputTokens).toBeGreaterThan(1000);
      expect(await used(quota)).toBe(cost(write));

      const read = (await client.invokeStream(request).finalResult()).usage;
      expect(read.cacheReadInputTokens).toBe(write.cacheWriteInputTokens);
      expect(read.cacheWriteInputTokens ?? 0).toBe(0);
      // The read call cost its uncached input and output only: thousands of tokens less than the first.
      expect(await used(quota)).toBe(cost(write) + cost(read));
      expect(cost(read)).toBeLessThan(cost(write) - 1000);
    } finally {
      client.destroy();
      await emu.close();
    }
  });
});
