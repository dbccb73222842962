/**
 * Shared setup for the quota tests: the emulator with a short quota period (seconds, not a minute), our
 * client pointed at it through the real SDK, real Redis under an isolated key prefix, and the counts the
 * tests assert on (the emulator's 429s, its admissions per window).
 */
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { BedrockStreamingClientOptions } from '../../src/client/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { QuotaOptions } from '../../src/emulator/quota.js';

export { REDIS_URL, deleteKeys, testPrefix } from '../server/registry/redis-test-keys.js';

export const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export async function quotaEmulator(quota: QuotaOptions): Promise<Emulator> {
  return startEmulator({ port: 0, speed: 'instant', quota });
}

export function quotaClient(emu: Emulator, options: BedrockStreamingClientOptions = {}): BedrockStreamingClient {
  return new BedrockStreamingClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    modelId: HAIKU,
    ...options,
  });
}

/** 429s the emulator's quota simulation answered. */
export function throttles(emu: Emulator): number {
  return emu.quota.decisions.filter((decision) => decision.throttled !== undefined).length;
}

/** The most requests the emulator admitted in any window of `windowMs` (sliding over every admission). */
export function mostAdmittedInWindow(emu: Emulator, windowMs: number): number {
  const times = emu.quota.decisions.filter((d) => d.throttled === undefined).map((d) => d.at);
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
