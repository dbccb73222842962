/**
 * Load in CI (issue 14, suite part 4), short: 48 concurrent-ish chat streams with reconnects, slow
 * readers, clients leaving and cancelling. `npm run soak` runs the same with thousands of streams.
 */
import { describe, expect, it } from 'vitest';
import { deleteKeys, REDIS_URL, testPrefix } from '../server/registry/redis-test-keys.js';
import { runLoad } from './load.js';

describe('concurrent SSE streams', () => {
  it('every event exactly once and in order, upstream closed for those who left, nothing left behind', async () => {
    const report = await runLoad({ streams: 48, concurrency: 16, speed: 8, maxTokens: 80 });
    expect(report.problems).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.duplicates).toBe(0);
    expect(report.upstreamLeftOpen).toBe(0);
    expect(report.leftRunning).toBe(0);
    // Finished generations are bounded (maxFinishedGenerations); the heap does not keep the load.
    expect(report.heapGrowthMiB).toBeLessThan(16);
  }, 90_000);

  it('through Redis: the same, and every key it wrote expires, with no viewer left counted', async () => {
    const keyPrefix = testPrefix();
    try {
      const report = await runLoad({
        streams: 24,
        concurrency: 8,
        speed: 8,
        maxTokens: 60,
        redis: { url: REDIS_URL, keyPrefix },
      });
      expect(report.problems).toEqual([]);
      expect([report.lost, report.duplicates, report.upstreamLeftOpen, report.leftRunning]).toEqual([0, 0, 0, 0]);
      expect(report.redisKeys?.total).toBeGreaterThan(0);
      expect(report.redisKeys?.withoutExpiry).toBe(0);
      expect(report.redisKeys?.viewerSets).toBe(0);
    } finally {
      await deleteKeys(keyPrefix);
    }
  }, 90_000);
});
