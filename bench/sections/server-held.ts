/**
 * How many SSE streams the server holds at 50 chunks/s each while the 99th-percentile added delay
 * per chunk stays under 50 ms. A chunk's "added delay" is how much later than expected it arrived after
 * the previous one: its gap minus the same gap when one stream runs alone (the emulator paces every
 * stream of this model identically: fixed chunk size and rate, no jitter). Gaps, not offsets from
 * the start, so the emulator's timer drift over a long stream is not counted as delay. It includes
 * queueing in the server, the emulator and this load client together (all on the same 2 cores).
 */
import { performance } from 'node:perf_hooks';
import { percentile } from '../support/report.js';

/** Paced at exactly 50 chunks/s by the emulator's per-model timing (see serverSection). */
export const PACED_MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
export const PACED_TIMING = { tokensPerChunk: [5, 5] as const, tokensPerSecond: 250, jitter: 0, firstTokenMs: 100 };
const MAX_TOKENS = 750; // 150 chunks, 3 s per stream
/** Stream starts are spread over this long (real viewers do not arrive in one burst). */
const STAGGER_MS = 1_000;
const TEXT_EVENT = 'event: text\n';

/** Arrival offsets (ms from the first text event) of each text event of one SSE stream. */
async function textOffsets(url: string, delayMs = 0): Promise<number[]> {
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const response = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: PACED_MODEL,
      messages: [{ role: 'user', content: 'Tell me a story in 80 sentences.' }],
      maxTokens: MAX_TOKENS,
    }),
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const offsets: number[] = [];
  let first = 0;
  let carry = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return offsets;
    const now = performance.now();
    const text = carry + decoder.decode(value, { stream: true });
    for (let at = text.indexOf(TEXT_EVENT); at >= 0; at = text.indexOf(TEXT_EVENT, at + 1)) {
      if (offsets.length === 0) first = now; // offsets count from the first text event
      offsets.push(now - first);
    }
    carry = text.slice(-(TEXT_EVENT.length - 1));
  }
}

export interface HeldLevel {
  streams: number;
  p99AddedMs: number;
  completed: number;
  /** CPU used while the level ran, as % of one core: server child, emulator child, this load client. */
  cpu: { server: number; emulator: number; client: number };
}

/** CPU time (ms) a process has used so far. */
export type CpuProbe = () => Promise<number>;

export async function heldStreamLevels(
  serverUrl: string,
  levels: readonly number[],
  probes: { server: CpuProbe; emulator: CpuProbe },
): Promise<HeldLevel[]> {
  // Baseline: the median of a few lone runs, chunk by chunk.
  const lone: number[][] = [];
  for (let i = 0; i < 3; i += 1) lone.push(await textOffsets(serverUrl));
  const chunks = Math.min(...lone.map((offsets) => offsets.length));
  const baseline = Array.from({ length: chunks }, (_, i) =>
    percentile(
      lone.map((offsets) => offsets[i]!),
      50,
    ),
  );
  const results: HeldLevel[] = [];
  for (const streams of levels) {
    const started = performance.now();
    const before = { server: await probes.server(), emulator: await probes.emulator(), client: process.cpuUsage() };
    const runs = await Promise.all(
      Array.from({ length: streams }, (_, i) =>
        textOffsets(serverUrl, (i * STAGGER_MS) / streams).catch(() => [] as number[]),
      ),
    );
    const wallMs = performance.now() - started;
    const clientCpu = process.cpuUsage(before.client);
    const cpu = {
      server: (((await probes.server()) - before.server) / wallMs) * 100,
      emulator: (((await probes.emulator()) - before.emulator) / wallMs) * 100,
      client: ((clientCpu.user + clientCpu.system) / 1000 / wallMs) * 100,
    };
    const added: number[] = [];
    for (const offsets of runs)
      for (let i = 1; i < Math.min(chunks, offsets.length); i += 1) {
        added.push(Math.max(0, offsets[i]! - offsets[i - 1]! - (baseline[i]! - baseline[i - 1]!)));
      }
    const completed = runs.filter((offsets) => offsets.length >= chunks).length;
    results.push({ streams, p99AddedMs: percentile(added, 99), completed, cpu });
    if (percentile(added, 99) >= 50 || completed < streams) break; // past the limit: stop climbing
  }
  return results;
}
