/**
 * The second experiment across processes: three separate Node processes, each with its own
 * client and limiter on one Redis, burst at once against the emulator's quota simulation with the same
 * limits. The emulator answers no 429, every call is served, and the requests admitted in any window
 * stay inside what the bucket allows (its capacity plus the refill of that window). The same burst with
 * per-process books (no Redis) overruns the budget: the emulator throttles.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/server.js';
import type { QuotaLimiterOptions } from '../../src/quota/index.js';
import type { FleetChildConfig, FleetChildReport } from './fleet-child.js';
import { HAIKU, REDIS_URL, deleteKeys, mostAdmittedInWindow, quotaEmulator, testPrefix, throttles } from './harness.js';

const PROCESSES = 3;
const CALLS = 8;
// 12 requests and 1,200 tokens per 3 s: the 24 calls need about two periods.
const PERIOD_MS = 3_000;
const RPM = 12;
const TPM = 1_200;
const prefix = testPrefix();

let emu: Emulator | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  await emu?.close();
  emu = undefined;
});
afterAll(() => deleteKeys(prefix));

async function fleetBurst(quota: QuotaLimiterOptions): Promise<FleetChildReport[]> {
  emu = await quotaEmulator({ requestsPerMinute: RPM, tokensPerMinute: TPM, periodMs: PERIOD_MS });
  const config: FleetChildConfig = { emulatorUrl: emu.url, modelId: HAIKU, calls: CALLS, maxTokens: 40, quota };
  const started = Array.from({ length: PROCESSES }, () => {
    const child = fork(fileURLToPath(new URL('./fleet-child.ts', import.meta.url)), [JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    return child;
  });
  await Promise.all(started.map((child) => new Promise((resolve) => child.once('message', resolve))));
  const reports = started.map(
    (child) =>
      new Promise<FleetChildReport>((resolve, reject) => {
        child.once('message', (report) => resolve(report as FleetChildReport));
        child.once('exit', (code) => reject(new Error(`fleet child exited with ${code} before reporting`)));
      }),
  );
  for (const child of started) child.send('go');
  return Promise.all(reports);
}

describe('three processes, one budget in Redis', () => {
  it('never throttled by the emulator, every call served, no window over the budget', async () => {
    // A little below the emulator's tokens: the client estimates input tokens, Bedrock counts them.
    const reports = await fleetBurst({
      requestsPerMinute: RPM,
      tokensPerMinute: TPM * 0.9,
      periodMs: PERIOD_MS,
      // The last of 24 calls at 12 per period is admitted about a period after the burst.
      maxWaitMs: 4 * PERIOD_MS,
      redis: REDIS_URL,
      keyPrefix: prefix,
    });
    expect(reports.flatMap((r) => r.failures)).toEqual([]);
    expect(reports.reduce((sum, r) => sum + r.served, 0)).toBe(PROCESSES * CALLS);
    expect(throttles(emu!)).toBe(0);
    // A bucket admits at most its capacity plus the refill of the window, in any window.
    for (const windowMs of [PERIOD_MS / 4, PERIOD_MS / 2, PERIOD_MS]) {
      expect(mostAdmittedInWindow(emu!, windowMs)).toBeLessThanOrEqual(RPM + Math.floor((RPM * windowMs) / PERIOD_MS));
    }
  });

  it('with per-process books instead, the same burst overruns the budget', async () => {
    const reports = await fleetBurst({ requestsPerMinute: RPM, tokensPerMinute: TPM * 0.9, periodMs: PERIOD_MS });
    expect(throttles(emu!)).toBeGreaterThan(0);
    expect(reports.length).toBe(PROCESSES);
  });
});
