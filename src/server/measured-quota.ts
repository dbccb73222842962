/**
 * Wraps the client's quota limiter so /metrics can show how often and how long calls waited for
 * the token/request budget (the limiter itself stays whatever the caller configured), and, when the
 * limiter can tell (`createQuotaLimiter()`'s `snapshot()`), its books per model at each scrape.
 */
import { performance } from 'node:perf_hooks';
import { Gauge } from 'prom-client';
import type { QuotaLimiter, QuotaSnapshot } from '../index.js';
import type { ServerMetrics } from './server-metrics.js';

/** Waits shorter than this are just the limiter's own bookkeeping, not a wait for quota. */
const WAIT_THRESHOLD_MS = 5;

export function measureQuota(limiter: QuotaLimiter, metrics: ServerMetrics): QuotaLimiter {
  const snapshot = (limiter as { snapshot?: () => Promise<QuotaSnapshot> }).snapshot;
  if (typeof snapshot === 'function') exportSnapshot(() => snapshot.call(limiter), metrics);
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

type Field = 'tokensAvailable' | 'requestsAvailable' | 'tokensReserved' | 'waiting' | 'rateFactor' | 'throttles';

const GAUGES: readonly { field: Field; name: string; help: string }[] = [
  { field: 'tokensAvailable', name: 'bedrock_quota_tokens_available', help: 'Tokens that could be reserved now' },
  { field: 'requestsAvailable', name: 'bedrock_quota_requests_available', help: 'Requests that could start now' },
  { field: 'tokensReserved', name: 'bedrock_quota_tokens_reserved', help: 'Tokens held by calls not settled yet' },
  { field: 'waiting', name: 'bedrock_quota_waiting_callers', help: 'Callers waiting for quota (fleet-wide on Redis)' },
  { field: 'rateFactor', name: 'bedrock_quota_rate_factor', help: 'Learnt share of the configured rate (1 = all)' },
  { field: 'throttles', name: 'bedrock_quota_throttles', help: 'Throttles Bedrock answered despite the limiter' },
];

/** One gauge per field, labelled by quota key, filled from one snapshot per scrape. */
function exportSnapshot(snapshot: () => Promise<QuotaSnapshot>, metrics: ServerMetrics): void {
  let latest: Promise<QuotaSnapshot | undefined> | undefined;
  // The six gauges collect together: the first takes the snapshot, the others reuse it.
  const current = () => {
    latest ??= snapshot()
      .catch(() => undefined)
      .finally(() => setImmediate(() => (latest = undefined)));
    return latest;
  };
  for (const { field, name, help } of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['model'],
      registers: [metrics.registry],
      async collect() {
        const taken = await current();
        this.reset();
        for (const model of taken?.models ?? []) {
          const value = model[field];
          if (value !== undefined) this.set({ model: model.key }, value);
        }
      },
    });
  }
}
