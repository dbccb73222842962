/**
 * Wraps the client's quota limiter so /metrics can show how often and how long calls waited for
 * the token/request budget (the limiter itself stays whatever the caller configured).
 */
import { performance } from 'node:perf_hooks';
import type { QuotaLimiter } from '../index.js';
import type { ServerMetrics } from './server-metrics.js';

/** Waits shorter than this are just the limiter's own bookkeeping, not a wait for quota. */
const WAIT_THRESHOLD_MS = 5;

export function measureQuota(limiter: QuotaLimiter, metrics: ServerMetrics): QuotaLimiter {
  return {
    async acquire(request, signal) {
      const started = performance.now();
      const reservation = await limiter.acquire(request, signal);
      const waitedMs = performance.now() - started;
      if (waitedMs >= WAIT_THRESHOLD_MS) {
        metrics.quotaWaits.inc();
        metrics.quotaWaitSeconds.observe(waitedMs / 1000);
      }
      return reservation;
    },
  };
}
