/**
 * The child side of measure-memory.ts: one driver in a fresh process. Warm up, collect, open N streams
 * that the emulator holds after their first chunks, collect again, report the difference per stream.
 */
import { BENCH_MODEL } from '../drivers/driver.js';
import { DRIVERS } from '../drivers/index.js';
import { clearEmulatorFaults, stallStreams } from './measure-admin.js';
import { forceGc } from './measure-gc.js';
import type { MemoryJob, MemoryReport } from './measure-memory.js';

const job = JSON.parse(process.argv[2] ?? '{}') as MemoryJob;
const driver = DRIVERS[job.driver]!(job.url);

function settledHeap() {
  forceGc();
  forceGc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external, rss: usage.rss };
}

// Warm up: load every module and JIT the path once, so the baseline is a ready-to-use client.
for (let i = 0; i < 3; i++) await driver.stream(BENCH_MODEL, `Warm-up number ${i}.`, 100);
// Held after 4 chunks: past message start, with text already delivered on both APIs.
await stallStreams(job.url, BENCH_MODEL, job.streams, 4, 600_000);
const before = settledHeap();

const controller = new AbortController();
const opened: Promise<void>[] = [];
let ended = 0;
for (let i = 0; i < job.streams; i++) {
  let markOpen!: () => void;
  opened.push(new Promise<void>((resolve) => (markOpen = resolve)));
  const done = driver.stream(BENCH_MODEL, `Tell me story number ${i} in 20 sentences.`, 1_000, {
    signal: controller.signal,
    onFirstText: markOpen,
  });
  // A stream that ends or fails before its first text must not leave the wait hanging.
  const settle = () => {
    ended++;
    markOpen();
  };
  done.then(settle, settle);
}
const timeout = setTimeout(() => {
  process.send?.({ error: `${job.driver}: streams did not all open within 120 s` });
  process.exit(1);
}, 120_000);
await Promise.all(opened);
clearTimeout(timeout);
// Give stragglers' last reads a moment, then measure with every stream open and idle.
await new Promise((resolve) => setTimeout(resolve, 300));
const after = settledHeap();

const report: MemoryReport = {
  driver: job.driver,
  streams: job.streams,
  heapPerStream: (after.heap - before.heap) / job.streams,
  externalPerStream: (after.external - before.external) / job.streams,
  rssPerStream: (after.rss - before.rss) / job.streams,
  endedEarly: ended,
};
process.send?.(report);
controller.abort();
await clearEmulatorFaults(job.url);
process.exit(0);
