/**
 * `npm run soak`: the reliability suite's long form, printing one report table.
 *   npm run soak                       # about 5 minutes: the whole matrix, 5 000 hostile requests, 3 000 streams
 *   npm run soak -- --quick            # about a minute
 *   npm run soak -- --streams 10000 --concurrency 400 --fuzz 20000
 * Same code as the CI tests (fault-matrix.ts, http-fuzz.ts, load.ts), larger numbers.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { startHarness } from '../server/http/server-harness.js';
import { matrixCells, runCell, startMatrixRig } from './fault-matrix.js';
import { hostileRequest, sendHostile } from './http-fuzz.js';
import { runLoad } from './load.js';
import { RedisProcess } from './redis-process.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    streams: { type: 'string' },
    concurrency: { type: 'string' },
    fuzz: { type: 'string' },
    seed: { type: 'string', default: '1414' },
    speed: { type: 'string' },
  },
});
const quick = values.quick === true;
const streams = Number(values.streams ?? (quick ? 400 : 3_000));
const concurrency = Number(values.concurrency ?? (quick ? 50 : 200));
const fuzzRuns = Number(values.fuzz ?? (quick ? 1_000 : 5_000));
const seed = Number(values.seed);
/** Emulator pace as a multiple of realistic Bedrock timing. */
const speed = Number(values.speed ?? (quick ? 8 : 2));
const startedAt = Date.now();

async function matrix() {
  // The page's row too: Chromium opens the chat page once and every page cell reuses it.
  const rig = await startMatrixRig({ page: true });
  const failures: string[] = [];
  let passed = 0;
  const cells = matrixCells({ page: true });
  try {
    for (const { fault, consumer } of cells) {
      const result = await runCell(rig, fault, consumer);
      if (result.problems.length === 0) passed++;
      else failures.push(`${fault.name} (${fault.phase}) -> ${consumer.name}: ${result.problems.join('; ')}`);
    }
  } finally {
    await rig.close();
  }
  return { passed, total: cells.length, failures };
}

async function fuzz() {
  const h = await startHarness({ limits: { maxOutputTokens: 200, bodyTimeoutMs: 2_000 } });
  let serverErrors = 0;
  let tried = 0;
  const examples: string[] = [];
  try {
    for (const request of fc.sample(hostileRequest, { seed, numRuns: fuzzRuns })) {
      const response = await sendHostile(h.url, request);
      tried++;
      if (response !== undefined && response.status >= 500) {
        serverErrors++;
        if (examples.length < 5) examples.push(`${response.status} ${request.method} ${request.path.slice(0, 120)}`);
      }
    }
    const alive = (await fetch(`${h.url}/healthz`)).status === 200;
    return { tried, serverErrors, alive, examples };
  } finally {
    await h.close();
  }
}

process.stdout.write(
  `soak: matrix, ${fuzzRuns} hostile requests, ${streams} streams at concurrency ${concurrency}, emulator at ${speed}x realistic pace (seed ${seed})\n`,
);
const matrixResult = await matrix();
process.stdout.write(`  matrix done (${Math.round((Date.now() - startedAt) / 1000)} s)\n`);
const fuzzResult = await fuzz();
process.stdout.write(`  fuzz done (${Math.round((Date.now() - startedAt) / 1000)} s)\n`);
const load = await runLoad({ streams, concurrency, speed, maxTokens: 120 });
process.stdout.write(`  load done (${Math.round((Date.now() - startedAt) / 1000)} s)\n`);
// The same load through a Redis of our own (a redis-server on a free port, no persistence).
const redis = await RedisProcess.start();
const redisConcurrency = Math.ceil(concurrency / 2);
const redisLoad = await runLoad({
  streams: Math.ceil(streams / 3),
  concurrency: redisConcurrency,
  speed,
  maxTokens: 120,
  redis: { url: redis.url, keyPrefix: 'soak:' },
}).finally(() => redis.kill());
process.stdout.write(`  Redis load done (${Math.round((Date.now() - startedAt) / 1000)} s)\n\n`);

const loads = [load, redisLoad];
const sum = (pick: (report: typeof load) => number) => loads.reduce((total, report) => total + pick(report), 0);
const leaks = sum((report) => report.upstreamLeftOpen + report.leftRunning);
const keys = redisLoad.redisKeys ?? { total: 0, withoutExpiry: 0, viewerSets: 0 };
const mix = Object.entries(load.byBehaviour)
  .map(([behaviour, count]) => `${count} ${behaviour}`)
  .join(', ');
const heap = (mib: number) => `${mib >= 0 ? '+' : ''}${mib.toFixed(1)} MiB`;
const rows: [string, string, boolean][] = [
  [
    'load held',
    `${load.streams} SSE streams, ${concurrency} at once, ${speed}x realistic pace, in ${load.seconds.toFixed(1)} s (${mix})`,
    load.problems.length === 0,
  ],
  [
    'load held through Redis',
    `${redisLoad.streams} SSE streams, ${redisConcurrency} at once, in ${redisLoad.seconds.toFixed(1)} s; ${keys.total} keys left, ${keys.withoutExpiry} without expiry, ${keys.viewerSets} viewer sets not empty`,
    redisLoad.problems.length === 0 && keys.withoutExpiry === 0 && keys.viewerSets === 0,
  ],
  [
    'faults x phases x consumers',
    `${matrixResult.passed} / ${matrixResult.total} cells passed`,
    matrixResult.failures.length === 0,
  ],
  [
    'bad inputs tried',
    `${fuzzResult.tried} hostile requests, ${fuzzResult.serverErrors} got a 5xx, server ${fuzzResult.alive ? 'up' : 'DOWN'}`,
    fuzzResult.serverErrors === 0 && fuzzResult.alive,
  ],
  ['chunks lost', String(sum((report) => report.lost)), sum((report) => report.lost) === 0],
  ['duplicates', String(sum((report) => report.duplicates)), sum((report) => report.duplicates) === 0],
  [
    'leaks',
    `${leaks} (upstream requests left open, generations still running; heap ${heap(load.heapGrowthMiB)} and ${heap(redisLoad.heapGrowthMiB)} after GC)`,
    leaks === 0,
  ],
  [
    'p99 event-loop delay',
    `${load.eventLoopP99Ms.toFixed(1)} ms (one process runs the server, the emulator and every client)`,
    true,
  ],
];
process.stdout.write('| check | result | ok |\n| --- | --- | --- |\n');
for (const [check, result, ok] of rows) process.stdout.write(`| ${check} | ${result} | ${ok ? 'yes' : 'NO'} |\n`);
process.stdout.write(`\ntotal ${Math.round((Date.now() - startedAt) / 1000)} s on node ${process.version}\n`);
const failures = [...matrixResult.failures, ...fuzzResult.examples, ...load.problems, ...redisLoad.problems];
for (const failure of failures.slice(0, 40)) process.stdout.write(`  ${failure}\n`);
process.exitCode = rows.every(([, , ok]) => ok) ? 0 : 1;
