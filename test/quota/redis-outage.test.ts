/**
 * Redis stopped mid-run (a Redis server of the test's own, killed with SIGKILL) and started again.
 * Fail-open: calls go on with the process's own books, one warning for the outage, one when Redis is
 * back, and the books are shared again without a restart; what was reserved in the outage settles in
 * the process's books and is never counted in Redis. Fail-closed: calls fail with a ServiceError that
 * says why and nothing reaches Bedrock; once Redis answers, calls go through again. The same when Redis
 * is down before the first call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/errors.js';
import type { Emulator } from '../../src/emulator/server.js';
import { createQuotaLimiter, type BedrockQuotaLimiter } from '../../src/quota/index.js';
import { HAIKU, quotaClient, quotaEmulator, until } from './harness.js';
import { OwnRedis } from './own-redis.js';

let redis: OwnRedis;
let emu: Emulator;
beforeAll(async () => {
  redis = await OwnRedis.start();
  emu = await quotaEmulator({});
});
afterAll(async () => {
  await redis.kill();
  await emu.close();
});

const books = async (limiter: BedrockQuotaLimiter) => {
  const snapshot = await limiter.snapshot();
  return { backend: snapshot.backend, model: snapshot.models.find((m) => m.key === `on-demand/${HAIKU}`) };
};

describe('Redis stopped mid-run', () => {
  it('fail-open: own books with one warning, shared again when Redis is back, nothing counted twice', async () => {
    const warnings: string[] = [];
    const limiter = createQuotaLimiter({
      tokensPerMinute: 100_000,
      redis: redis.url,
      failOpen: true,
      onWarning: (message) => warnings.push(message),
    });
    const client = quotaClient(emu, { quota: limiter, retry: { maxAttempts: 1 } });
    const call = () => client.invokeStream({ prompt: 'Hello.', maxTokens: 20 }).finalResult();
    try {
      await call();
      expect((await books(limiter)).backend).toBe('redis');
      // Admitted by Redis just before it dies: its settlement cannot reach Redis, and must not crash.
      const beforeOutage = await limiter.acquire({ modelId: HAIKU, estimatedInputTokens: 0, maxTokens: 1_000 });
      await redis.kill();
      await beforeOutage.settle({ inputTokens: 10, outputTokens: 10 });
      // Held across the outage: admitted by this process's books, so it settles there.
      const held = await limiter.acquire({ modelId: HAIKU, estimatedInputTokens: 0, maxTokens: 5_000 });
      await Promise.all(Array.from({ length: 5 }, call));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('Redis is unavailable');
      expect((await books(limiter)).backend).toBe('memory (Redis unavailable)');

      await redis.start();
      await until(async () => (await call(), (await books(limiter)).backend === 'redis'), 'Redis to be used again');
      expect(warnings).toHaveLength(2);
      expect(warnings[1]).toContain('Redis answers again');
      // It used 4,000 more than it reserved: settled in this process's books, Redis never sees the 4,000.
      await held.settle({ inputTokens: 0, outputTokens: 9_000 });
      await until(async () => (await books(limiter)).model?.tokensReserved === 0, 'the books to settle');
      expect((await books(limiter)).model!.tokensAvailable).toBeGreaterThan(100_000 - 1_000);
    } finally {
      client.destroy();
      await limiter.close();
    }
  });

  it('fail-closed: calls fail with a clear ServiceError and nothing is sent; they go through once Redis is back', async () => {
    const limiter = createQuotaLimiter({ tokensPerMinute: 100_000, redis: redis.url, failOpen: false });
    const client = quotaClient(emu, { quota: limiter, retry: { maxAttempts: 1 } });
    const call = () => client.invokeStream({ prompt: 'Hello.', maxTokens: 20 }).finalResult();
    try {
      await call();
      await redis.kill();
      const sent = emu.requestLog.entries().length;
      const failures = await Promise.allSettled(Array.from({ length: 3 }, call));
      for (const failure of failures) {
        expect(failure.status).toBe('rejected');
        const error = (failure as PromiseRejectedResult).reason as ServiceError;
        expect(error).toBeInstanceOf(ServiceError);
        expect(error.code).toBe('QuotaBackendUnavailable');
        expect(error.message).toContain('cannot reach Redis');
      }
      expect(emu.requestLog.entries().length).toBe(sent);

      await redis.start();
      await until(
        () =>
          call().then(
            () => true,
            () => false,
          ),
        'calls to go through again',
      );
      expect((await books(limiter)).backend).toBe('redis');
    } finally {
      client.destroy();
      await limiter.close();
    }
  });

  it('Redis down from the start: fail-open serves on own books with one warning, fail-closed refuses', async () => {
    await redis.kill();
    const warnings: string[] = [];
    const open = createQuotaLimiter({ tokensPerMinute: 100_000, redis: redis.url, onWarning: (m) => warnings.push(m) });
    const closed = createQuotaLimiter({ tokensPerMinute: 100_000, redis: redis.url, failOpen: false });
    const openClient = quotaClient(emu, { quota: open, retry: { maxAttempts: 1 } });
    const closedClient = quotaClient(emu, { quota: closed, retry: { maxAttempts: 1 } });
    try {
      await Promise.all(
        Array.from({ length: 3 }, () => openClient.invokeStream({ prompt: 'Hi.', maxTokens: 10 }).finalResult()),
      );
      expect(warnings).toHaveLength(1);
      await expect(closedClient.invokeStream({ prompt: 'Hi.', maxTokens: 10 }).finalResult()).rejects.toMatchObject({
        code: 'QuotaBackendUnavailable',
      });
    } finally {
      openClient.destroy();
      closedClient.destroy();
      await open.close();
      await closed.close();
      await redis.start();
    }
  });
});
