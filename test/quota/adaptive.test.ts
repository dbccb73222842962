/**
 * Adaptive rate: the limiter is set to twice the quota the emulator really enforces (as when other users
 * share the account). The first burst runs into 429s; the limiter halves its learnt rate and drains its
 * books to Bedrock's, and the next burst gets no 429 at all. Once the emulator's quota is raised to the
 * limiter's, the learnt rate climbs back after its hold, and a burst uses the whole quota again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/server.js';
import { createQuotaLimiter, type BedrockQuotaLimiter } from '../../src/quota/index.js';
import { HAIKU, mostAdmittedInWindow, quotaClient, quotaEmulator, throttles, until } from './harness.js';

const PERIOD_MS = 2_000;
const LIMITER_RPM = 10;
const REAL_RPM = 5;

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function rateOf(limiter: BedrockQuotaLimiter) {
  return (await limiter.snapshot()).models.find((m) => m.key === `on-demand/${HAIKU}`)!;
}

describe('adaptive rate', () => {
  it('stops the 429s after adapting, and recovers the rate when the quota is raised', async () => {
    emu = await quotaEmulator({ requestsPerMinute: REAL_RPM, periodMs: PERIOD_MS });
    const limiter = createQuotaLimiter({
      requestsPerMinute: LIMITER_RPM,
      periodMs: PERIOD_MS,
      maxWaitMs: 10 * PERIOD_MS,
      // Recovery starts three periods after the last 429: long enough for the adapted burst below.
      adaptive: { holdPeriods: 3, increasePerPeriod: 1 },
    });
    const client = quotaClient(emu, { quota: limiter, retry: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50 } });
    const burst = (size: number) =>
      Promise.allSettled(
        Array.from({ length: size }, (_, i) =>
          client.invokeStream({ prompt: `Call ${i}.`, maxTokens: 10 }).finalResult(),
        ),
      );
    try {
      await burst(LIMITER_RPM);
      const learnt = await rateOf(limiter);
      expect(throttles(emu)).toBeGreaterThan(0);
      expect(learnt.learntRequestsPerPeriod).toBeLessThanOrEqual(REAL_RPM);
      expect(learnt.throttles).toBe(throttles(emu));

      // Both buckets full again (ours refills no sooner than Bedrock's), then a burst at the learnt rate.
      await until(async () => (await rateOf(limiter)).requestsAvailable! >= REAL_RPM, 'the books to refill', 6_000);
      const before = throttles(emu);
      const adapted = await burst(REAL_RPM + 2);
      expect(adapted.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(throttles(emu)).toBe(before);

      emu.quota.configure({ requestsPerMinute: LIMITER_RPM, periodMs: PERIOD_MS });
      await until(async () => (await rateOf(limiter)).rateFactor === 1, 'the learnt rate to recover', 10_000);
      await until(async () => (await rateOf(limiter)).requestsAvailable! >= LIMITER_RPM, 'a full bucket', 5_000);
      emu.quota.decisions.length = 0;
      const recovered = await burst(LIMITER_RPM);
      expect(recovered.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(throttles(emu)).toBe(0);
      // The whole raised quota is used again: more at once than the low quota ever allowed.
      expect(mostAdmittedInWindow(emu, PERIOD_MS / 4)).toBeGreaterThan(REAL_RPM);
    } finally {
      client.destroy();
      await limiter.close();
    }
  });
});
