/**
 * The quota section: what admission costs. End to end, streams per second through the emulator (instant
 * speed, 8 concurrent) with no limiter, the in-memory limiter and the Redis limiter, as ratios against the
 * unlimited client in the same run, with Redis round trips per stream; then admission alone (acquire +
 * settle, no Bedrock call): microseconds per admission one at a time, and admissions per second that one
 * Redis gives four limiters (four processes' worth) at 64 concurrent callers.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type * as LibraryExports from '../../src/index.js';
import { BENCH_CREDENTIALS, BENCH_MODEL, BENCH_REGION } from '../drivers/driver.js';
import { startEmulatorProcess } from '../support/emulator-process.js';
import type { BenchTable } from '../support/report.js';

type Library = typeof LibraryExports;
type Limiter = ReturnType<Library['createQuotaLimiter']>;

/** The compiled build under `npm run bench` (see drivers/ours.ts), the source otherwise. */
const library = (
  process.env.BENCH_LIBRARY === 'dist'
    ? await import(new URL('../../dist/index.js', import.meta.url).href)
    : await import('../../src/index.js')
) as Library;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Quotas far above what the run uses: this measures the bookkeeping, never a wait. */
const ROOMY = { tokensPerMinute: 1e12, requestsPerMinute: 1e9 };

export async function quotaSection(options: { quick: boolean }): Promise<BenchTable[]> {
  const prefix = `bench-quota:${randomBytes(4).toString('hex')}:`;
  try {
    const endToEnd = await streamsWithLimiters(options.quick ? 300 : 1_500, prefix);
    const alone = await admissionAlone(options.quick ? 2_000 : 10_000, prefix);
    return [
      {
        section: 'quota',
        title: 'Quota limiter end to end: streams/s through the emulator (instant, 8 concurrent, 20 tokens each)',
        columns: ['limiter', 'streams', 'streams/s', 'vs unlimited', 'Redis round trips / stream'],
        rows: endToEnd,
        notes: ['Median of three interleaved runs per limiter.'],
      },
      {
        section: 'quota',
        title: 'Admission alone (acquire + settle, no Bedrock call)',
        columns: [
          'backend',
          'admissions',
          'µs / admission (one at a time)',
          'admissions/s (64 concurrent)',
          'round trips / admission',
        ],
        rows: alone,
        notes: ['Redis: one local Redis, four limiters sharing one budget (as four processes would).'],
      },
    ];
  } finally {
    await deleteKeys(prefix);
  }
}

async function streamsWithLimiters(streams: number, prefix: string): Promise<(string | number)[][]> {
  const emulator = await startEmulatorProcess({ speed: 'instant' });
  const setups: [string, () => Limiter | undefined][] = [
    ['none (unlimited)', () => undefined],
    ['memory', () => library.createQuotaLimiter(ROOMY)],
    ['redis', () => library.createQuotaLimiter({ ...ROOMY, redis: REDIS_URL, keyPrefix: `${prefix}e2e:` })],
  ];
  const rates = new Map<string, number[]>(setups.map(([name]) => [name, []]));
  const trips = new Map<string, number>();
  try {
    for (let round = 0; round < 3; round++) {
      for (const [name, create] of setups) {
        const quota = create();
        const client = new library.BedrockStreamingClient({
          endpoint: emulator.url,
          region: BENCH_REGION,
          credentials: BENCH_CREDENTIALS,
          modelId: BENCH_MODEL,
          ...(quota === undefined ? {} : { quota }),
        });
        try {
          await drain(client, 16); // warm: connection, first-request template, Redis scripts
          const before = roundTrips(quota);
          const started = performance.now();
          await drain(client, streams);
          rates.get(name)!.push((streams * 1000) / (performance.now() - started));
          trips.set(name, (roundTrips(quota) - before) / streams);
        } finally {
          client.destroy();
          await quota?.close();
        }
      }
    }
  } finally {
    await emulator.close();
  }
  const baseline = median(rates.get('none (unlimited)')!);
  return setups.map(([name]) => {
    const rate = median(rates.get(name)!);
    return [name, streams, rate, `${(rate / baseline).toFixed(2)}x`, name === 'redis' ? trips.get(name)! : '-'];
  });
}

async function drain(client: InstanceType<Library['BedrockStreamingClient']>, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await client.invokeStream({ prompt: `Quota bench ${next}.`, maxTokens: 20 }).finalResult();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function admissionAlone(count: number, prefix: string): Promise<(string | number)[][]> {
  const request = { modelId: BENCH_MODEL, estimatedInputTokens: 20, maxTokens: 20 };
  const usage = { inputTokens: 20, outputTokens: 10 };
  const rows: (string | number)[][] = [];
  for (const backend of ['memory', 'redis'] as const) {
    const make = (i: number) =>
      library.createQuotaLimiter(
        backend === 'memory' ? ROOMY : { ...ROOMY, redis: REDIS_URL, keyPrefix: `${prefix}a${i}:` },
      );
    // One at a time: the latency one call pays.
    const single = make(0);
    for (let i = 0; i < 50; i++) await (await single.acquire(request)).settle(usage);
    let started = performance.now();
    const tripsBefore = roundTrips(single);
    for (let i = 0; i < count; i++) await (await single.acquire(request)).settle(usage);
    const microseconds = ((performance.now() - started) * 1000) / count;
    const perAdmission = (roundTrips(single) - tripsBefore) / count;
    await single.close();
    // 64 concurrent callers over four limiters sharing one budget.
    const shared = Array.from({ length: 4 }, () => make(1));
    let next = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        const limiter = shared[i % shared.length]!;
        while (next < count) {
          next++;
          await (await limiter.acquire(request)).settle(usage);
        }
      }),
    );
    const perSecond = (count * 1000) / (performance.now() - started);
    await Promise.all(shared.map((limiter) => limiter.close()));
    rows.push([backend, count, microseconds, perSecond, backend === 'redis' ? perAdmission : '-']);
  }
  return rows;
}

/** Round trips the Redis backend made so far (0 for memory or no limiter). */
function roundTrips(limiter: Limiter | undefined): number {
  return (limiter?.backend as { roundTrips?: number } | undefined)?.roundTrips ?? 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
