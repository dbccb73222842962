/**
 * Section 2: the client against the raw SDK and peer libraries, all on ONE emulator child process in
 * one run. Client CPU per 1,000 chunks (frames batched per read, and each chunk alone), time to first
 * text at realistic pace, and memory per open stream while the emulator holds 500 of them.
 */
import { BASELINE, DRIVERS } from '../drivers/index.js';
import { BENCH_MODEL, type BenchDriver } from '../drivers/driver.js';
import { startEmulatorProcess } from '../support/emulator-process.js';
import { clearEmulatorFaults, setEmulatorSpeed } from '../support/measure-admin.js';
import { firstMismatch, runBatch, type Workload } from '../support/measure-cpu.js';
import { measureMemory, type MemoryReport } from '../support/measure-memory.js';
import { createFloorDriver } from '../support/measure-floor.js';
import { framesPerRead } from '../support/measure-reads.js';
import { clientTables, type ClientResults, type DriverResults } from '../support/measure-report.js';
import { firstTextTimes } from '../support/measure-ttft.js';
import type { BenchTable } from '../support/report.js';

/** Speed multiplier for "each chunk alone": Claude's chunks ~4 ms apart, one frame per socket read. */
const ALONE_SPEED = 20;
/** Long answers (~290 chunks) so the per-request cost (signing, connection) weighs little per chunk. */
const CPU_PROMPTS = Array.from({ length: 32 }, (_, i) => `Tell me story number ${i} in 80 sentences.`);
/** Streams at once when each chunk arrives alone: enough chunks per second without outrunning slow clients. */
const ALONE_STREAMS = 16;
const CPU_MAX_TOKENS = 4_000;
/** Answers of one or two text chunks: what a request costs apart from its chunks. */
const SHORT_PROMPTS = Array.from({ length: 32 }, (_, i) => `Say hello number ${i}.`);
const TTFT_PER_BATCH = 5;
const HELD_STREAMS = 500;

interface Entry {
  driver: BenchDriver;
  results: DriverResults;
  /** The bytes-only floor: CPU rows only, no text to compare. */
  floor?: true;
}

export async function clientSection(options: { quick: boolean }): Promise<BenchTable[]> {
  const rounds = options.quick ? 3 : 7;
  // No jitter: every driver's request gets the same pace, whatever its body hashes to.
  const emulator = await startEmulatorProcess({
    speed: 'instant',
    timing: { families: { 'anthropic-messages': { jitter: 0 } } },
  });
  const entries: Entry[] = Object.entries(DRIVERS).map(([name, create]) => {
    const driver = create(emulator.url);
    return { driver, results: { name, transport: driver.transport, problems: [] } };
  });
  const floorDriver = createFloorDriver(emulator.url);
  const floor: Entry = {
    driver: floorDriver,
    results: { name: floorDriver.name, transport: floorDriver.transport, problems: [] },
    floor: true,
  };
  const cpuEntries = [...entries, floor];
  const results: ClientResults = {
    drivers: entries.map((entry) => entry.results),
    floor: floor.results,
    framesPerRead: {},
  };
  try {
    const batched: Workload = { modelId: BENCH_MODEL, prompts: CPU_PROMPTS, maxTokens: CPU_MAX_TOKENS, concurrency: 4 };
    results.framesPerRead.batched = await probeReads(emulator.url, batched.concurrency);
    const texts = await cpuShape(cpuEntries, batched, rounds, (r, cpu) => (r.cpuBatched = perChunks(cpu, batched)));
    const short: Workload = { modelId: BENCH_MODEL, prompts: SHORT_PROMPTS, maxTokens: 5, concurrency: 4 };
    await cpuShape(cpuEntries, short, rounds, (r, cpu) => (r.cpuPerRequestMs = cpu.cpuMs / SHORT_PROMPTS.length));

    const alone: Workload = { ...batched, prompts: CPU_PROMPTS.slice(0, ALONE_STREAMS), concurrency: ALONE_STREAMS };
    await setEmulatorSpeed(emulator.url, ALONE_SPEED);
    results.framesPerRead.alone = await probeReads(emulator.url, alone.concurrency);
    const known = texts.slice(0, ALONE_STREAMS);
    await cpuShape(cpuEntries, alone, rounds, (r, cpu) => (r.cpuAlone = perChunks(cpu, alone)), known);

    await setEmulatorSpeed(emulator.url, 'realistic');
    await timeToFirstText(entries, options.quick ? 3 : 8);

    await setEmulatorSpeed(emulator.url, 'instant');
    for (const entry of live(entries)) {
      await attempt(entry, async () => {
        const report = await measureMemory({ driver: entry.results.name, url: emulator.url, streams: HELD_STREAMS });
        entry.results.memory = memoryFrom(report);
        if (report.endedEarly > 0) entry.results.problems.push(`${report.endedEarly} streams ended before memory`);
      });
      await clearEmulatorFaults(emulator.url);
    }
  } finally {
    for (const entry of cpuEntries) await entry.driver.close();
    await emulator.close();
  }
  return clientTables(results, { rounds, heldStreams: HELD_STREAMS, aloneSpeed: ALONE_SPEED });
}

interface BatchCpu {
  /** Median CPU of one batch, ms. */
  cpuMs: number;
  chunks: number;
}

/**
 * CPU of one workload per driver: a warm-up batch each (the raw SDK's warm-up answers become the texts
 * every batch must reproduce), then rounds in rotated order; the median batch is kept. Given the texts
 * from an earlier phase with the same prompts, the drivers are warm already and the warm-up is skipped.
 */
async function cpuShape(
  entries: Entry[],
  workload: Workload,
  rounds: number,
  store: (results: DriverResults, cpu: BatchCpu) => void,
  known?: string[],
): Promise<string[]> {
  let expected = known;
  const samples = new Map<Entry, { cpuMs: number[]; chunks: number }>();
  for (const entry of live(entries)) {
    samples.set(entry, { cpuMs: [], chunks: 0 });
    if (known) continue;
    await attempt(entry, async () => {
      const { texts } = await runBatch(entry.driver, workload);
      // DRIVERS lists the baseline first.
      if (entry.results.name === BASELINE) expected = texts;
      if (expected === undefined) throw new Error('no raw SDK answers to compare with');
      if (!entry.floor) checkTexts(expected, texts);
    });
  }
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no driver always runs right after the same neighbour.
    for (const entry of rotate(live(entries), round)) {
      await attempt(entry, async () => {
        const batch = await runBatch(entry.driver, workload);
        if (!entry.floor) checkTexts(expected!, batch.texts);
        const sample = samples.get(entry)!;
        sample.cpuMs.push(batch.cpuMs);
        sample.chunks = batch.chunks;
      });
    }
  }
  for (const entry of live(entries)) {
    const sample = samples.get(entry);
    if (sample && sample.cpuMs.length > 0) store(entry.results, { cpuMs: median(sample.cpuMs), chunks: sample.chunks });
  }
  return expected ?? [];
}

function perChunks(cpu: BatchCpu, workload: Workload) {
  return { msPer1kChunks: (cpu.cpuMs / cpu.chunks) * 1_000, chunksPerStream: cpu.chunks / workload.prompts.length };
}

async function timeToFirstText(entries: Entry[], rounds: number): Promise<void> {
  const times = new Map<Entry, number[]>();
  const prompts = (round: number) => Array.from({ length: TTFT_PER_BATCH }, (_, i) => `Say hello ${round}-${i}.`);
  for (const entry of live(entries))
    await attempt(entry, () => firstTextTimes(entry.driver, BENCH_MODEL, prompts(-1), 20));
  for (let round = 0; round < rounds; round++) {
    for (const entry of rotate(live(entries), round)) {
      await attempt(entry, async () => {
        const sample = await firstTextTimes(entry.driver, BENCH_MODEL, prompts(round), 20);
        times.set(entry, [...(times.get(entry) ?? []), ...sample]);
      });
    }
  }
  for (const [entry, sample] of times) entry.results.ttft = sample;
}

function checkTexts(expected: string[], texts: string[]): void {
  const index = firstMismatch(expected, texts);
  if (index >= 0) throw new Error(`answer ${index} differs from the raw SDK's text`);
}

async function probeReads(url: string, concurrency: number): Promise<number> {
  const body = (i: number) =>
    JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: CPU_MAX_TOKENS,
      messages: [{ role: 'user', content: CPU_PROMPTS[i % CPU_PROMPTS.length]! }],
    });
  return framesPerRead(
    url,
    BENCH_MODEL,
    Array.from({ length: concurrency }, (_, i) => body(i)),
  );
}

function memoryFrom(report: MemoryReport): NonNullable<DriverResults['memory']> {
  return {
    heapPerStream: report.heapPerStream,
    externalPerStream: report.externalPerStream,
    rssPerStream: report.rssPerStream,
  };
}

/** Runs one driver's step; a failure marks the driver and drops it from later steps. */
async function attempt(entry: Entry, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    entry.results.problems.push(error instanceof Error ? error.message : String(error));
  }
}

function live(entries: Entry[]): Entry[] {
  return entries.filter((entry) => entry.results.problems.length === 0);
}

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
