/**
 * The first experiment in one process: the emulator simulates a requests-per-period quota, our
 * client keeps the same quota with the limiter, and a burst half again as large arrives at once. Every
 * call is served, and Bedrock (the emulator) answers at most a boundary race of 429s, never a cascade.
 * The same model called by plain id and ARN, or by profile and profile ARN, draws on one budget. When the
 * demand cannot fit in the maximum wait, the caller gets the limiter's own ThrottlingError with a
 * retry-after, and still nothing reaches Bedrock to be throttled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ThrottlingError } from '../../src/errors.js';
import type { Emulator } from '../../src/emulator/server.js';
import { createQuotaLimiter } from '../../src/quota/index.js';
import { HAIKU, mostAdmittedInWindow, quotaClient, quotaEmulator, throttles } from './harness.js';

// 8 requests per 2 s: one every 250 ms once the first 8 are spent.
const RPM = 8;
const PERIOD_MS = 2_000;

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function burst(ids: readonly string[], size: number, maxWaitMs?: number) {
  emu = await quotaEmulator({ requestsPerMinute: RPM, periodMs: PERIOD_MS });
  const quota = createQuotaLimiter({
    requestsPerMinute: RPM,
    periodMs: PERIOD_MS,
    ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
  });
  const client = quotaClient(emu, { quota });
  try {
    return await Promise.allSettled(
      Array.from({ length: size }, (_, i) =>
        client.invokeStream({ prompt: `Burst call ${i}.`, maxTokens: 20, modelId: ids[i % ids.length]! }).finalResult(),
      ),
    );
  } finally {
    client.destroy();
    await quota.close();
  }
}

describe('one process, one limiter, the emulator’s quota', () => {
  it('serves a burst of 1.5x the quota with no 429 cascade (a boundary race at most)', async () => {
    const outcomes = await burst([HAIKU], RPM + RPM / 2);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(throttles(emu!)).toBeLessThanOrEqual(1);
    expect(mostAdmittedInWindow(emu!, PERIOD_MS / 2)).toBeLessThanOrEqual(RPM + RPM / 2);
  });

  it('books a plain id and its ARN, and a profile and its ARN, as the quotas Bedrock meters', async () => {
    const arn = `arn:aws:bedrock:us-east-1::foundation-model/${HAIKU}`;
    const outcomes = await burst([HAIKU, arn], RPM + RPM / 2);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(throttles(emu!)).toBeLessThanOrEqual(1);
    await emu!.close();

    const profile = `us.${HAIKU}`;
    const profileArn = `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${profile}`;
    const profiled = await burst([profile, profileArn], RPM + RPM / 2);
    expect(profiled.filter((o) => o.status === 'rejected')).toEqual([]);
    expect(throttles(emu!)).toBeLessThanOrEqual(1);
  });

  it('fails what cannot fit in the maximum wait with its own ThrottlingError and a retry-after', async () => {
    // 8 at once, then one per 250 ms: within 600 ms about two more; the rest wait too long.
    const outcomes = await burst([HAIKU], 2 * RPM, 600);
    const rejected = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(rejected.length).toBeGreaterThan(0);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(ThrottlingError);
      expect((error as ThrottlingError).code).toBe('QuotaWaitExceeded');
      expect((error as ThrottlingError).retryAfterMs).toBeGreaterThan(0);
    }
    expect(outcomes.length - rejected.length).toBeGreaterThanOrEqual(RPM);
    expect(throttles(emu!)).toBe(0);
  });
});
