/**
 * The experiment with servers: two streaming servers, each with its own limiter on one Redis, in
 * front of the emulator's quota, take a burst of 1.5x the quota split between them. Every user is served
 * and the emulator answers at most a boundary race of 429s. With a short maximum wait, the users the
 * quota cannot serve in time get the limiter's honest 429 with Retry-After, and Bedrock still throttles
 * nothing.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/server.js';
import { createQuotaLimiter, type BedrockQuotaLimiter } from '../../src/quota/index.js';
import { createServer, type BedrockServer } from '../../src/server/index.js';
import { HAIKU, REDIS_URL, deleteKeys, quotaEmulator, testPrefix, throttles } from './harness.js';

const RPM = 8;
const PERIOD_MS = 2_000;
const prefix = testPrefix();

let emu: Emulator | undefined;
const servers: BedrockServer[] = [];
const limiters: BedrockQuotaLimiter[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
  await emu?.close();
  emu = undefined;
});
afterAll(() => deleteKeys(prefix));

async function twoServers(maxWaitMs: number, keyPrefix: string): Promise<string[]> {
  emu = await quotaEmulator({ requestsPerMinute: RPM, periodMs: PERIOD_MS });
  const urls: string[] = [];
  for (let i = 0; i < 2; i++) {
    const quota = createQuotaLimiter({
      requestsPerMinute: RPM,
      periodMs: PERIOD_MS,
      maxWaitMs,
      redis: REDIS_URL,
      keyPrefix,
    });
    limiters.push(quota);
    const server = createServer({
      clientOptions: {
        endpoint: emu.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        modelId: HAIKU,
        quota,
      },
      logger: false,
      page: false,
    });
    servers.push(server);
    urls.push(await server.listen(0));
  }
  return urls;
}

async function burst(urls: string[], size: number): Promise<Response[]> {
  return Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const response = await fetch(`${urls[i % urls.length]}/api/stream-completion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: `User ${i} says hello.`, maxTokens: 20 }),
      });
      await response.text();
      return response;
    }),
  );
}

describe('two servers, one budget in Redis', () => {
  it('serve every user of a 1.5x burst without a 429 cascade upstream', async () => {
    const urls = await twoServers(4 * PERIOD_MS, `${prefix}served:`);
    const responses = await burst(urls, RPM + RPM / 2);
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    expect(throttles(emu!)).toBeLessThanOrEqual(1);
  });

  it('answer what cannot wait with the limiter’s own 429 and Retry-After, never Bedrock’s', async () => {
    const urls = await twoServers(300, `${prefix}rejected:`);
    const responses = await burst(urls, 2 * RPM);
    const rejected = responses.filter((r) => r.status !== 200);
    expect(rejected.length).toBeGreaterThan(0);
    for (const response of rejected) {
      expect(response.status).toBe(429);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(throttles(emu!)).toBe(0);
  });
});
