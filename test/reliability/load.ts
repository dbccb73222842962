/**
 * Load: N concurrent /api/chat clients at a steady pace, a share of which reconnect with
 * Last-Event-ID, read slowly, leave, or cancel. Every client's events are compared with the
 * generation's full replay (exactly once, in order); clients that left must see their upstream
 * closed; at the end nothing may be left running and the heap must come back. Shared by the CI test
 * (small) and `npm run soak` (large).
 */
import { Redis } from 'ioredis';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startEmulator } from '../../src/emulator/server.js';
import { BedrockStreamingClient } from '../../src/index.js';
import { GenerationService } from '../../src/server/generations/generation-service.js';
import { createServer, type BedrockServer, type CreateServerOptions } from '../../src/server/index.js';
import { parseSse, SseReader, type ParsedSse } from '../server/http/sse-parse.js';

export type Behaviour = 'stay' | 'slow' | 'reconnect' | 'leave' | 'cancel';
const BEHAVIOURS: Behaviour[] = ['stay', 'stay', 'stay', 'slow', 'reconnect', 'reconnect', 'leave', 'cancel'];

export interface LoadOptions {
  streams: number;
  concurrency: number;
  /** Emulator pace: a multiplier of realistic speed. */
  speed: number;
  maxTokens: number;
  /** Run the generations through Redis (keys under `redisKeyPrefix`); memory when absent. */
  redis?: { url: string; keyPrefix: string };
  server?: CreateServerOptions;
}

export interface LoadReport {
  streams: number;
  byBehaviour: Record<Behaviour, number>;
  /** Events a staying or reconnecting client missed, or saw out of order, against the full replay. */
  lost: number;
  duplicates: number;
  /** Clients that left or cancelled whose upstream request did not end. */
  upstreamLeftOpen: number;
  /** Generations still running, direct streams still open, after the load. */
  leftRunning: number;
  heapGrowthMiB: number;
  /** With Redis: keys under the prefix after the load, and how many of them would never expire. */
  redisKeys?: { total: number; withoutExpiry: number; viewerSets: number };
  eventLoopP99Ms: number;
  seconds: number;
  problems: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const key = (e: ParsedSse) => `${e.id}\u0000${e.event}\u0000${e.data}`;

/** Compares what a client saw with the full log: counts missing and duplicated events. */
function compare(seen: ParsedSse[], full: ParsedSse[]): { lost: number; duplicates: number } {
  const seenKeys = seen.map(key);
  const fullKeys = full.map(key);
  const unique = new Set(seenKeys);
  const duplicates = seenKeys.length - unique.size;
  let lost = 0;
  for (const k of fullKeys) if (!unique.has(k)) lost++;
  // Order: what was seen must be the full log's order.
  const order = seenKeys.filter((k, i) => seenKeys.indexOf(k) === i);
  if (order.join('\n') !== fullKeys.filter((k) => unique.has(k)).join('\n')) lost++;
  return { lost, duplicates };
}

/** Every key under the prefix: finished generations expire (a TTL), and no viewer is still counted. */
async function redisKeys(url: string, prefix: string): Promise<NonNullable<LoadReport['redisKeys']>> {
  const redis = new Redis(url);
  try {
    const keys = await redis.keys(`${prefix}*`);
    let withoutExpiry = 0;
    let viewerSets = 0;
    for (const key of keys) {
      if ((await redis.ttl(key)) === -1) withoutExpiry++;
      if (key.endsWith(':viewers') && (await redis.scard(key)) > 0) viewerSets++;
    }
    return { total: keys.length, withoutExpiry, viewerSets };
  } finally {
    redis.disconnect();
  }
}

async function readSlowly(response: Response): Promise<ParsedSse[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let raw = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    raw += decoder.decode(value, { stream: true });
    await sleep(3);
  }
  return parseSse(raw).events;
}

async function oneClient(url: string, behaviour: Behaviour, index: number, maxTokens: number, report: LoadReport) {
  const post = await fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      messages: [{ role: 'user', content: `Story number ${index} about the sea.` }],
      maxTokens,
      ...(behaviour === 'reconnect' ? { detached: true } : {}),
    }),
  });
  if (post.status !== 200) {
    report.problems.push(`client ${index}: HTTP ${post.status}`);
    return;
  }
  const id = post.headers.get('x-generation-id')!;
  const reader = behaviour === 'slow' ? undefined : new SseReader(post);
  const texts = (n: number) => (events: ParsedSse[]) =>
    events.filter((e) => e.event === 'text').length >= n ||
    ['done', 'error', 'cancelled'].includes(events.at(-1)?.event ?? '');
  let seen: ParsedSse[];
  switch (behaviour) {
    case 'stay':
      seen = await reader!.readAll();
      break;
    case 'slow':
      // A reader that falls behind: the server's writes wait for drain, nothing may be dropped.
      seen = await readSlowly(post);
      break;
    case 'reconnect': {
      const first = await reader!.readUntil(texts(2));
      await reader!.cancel();
      const again = await fetch(`${url}/api/generations/${id}/events`, {
        headers: { 'last-event-id': first.at(-1)!.id! },
      });
      seen = [...first, ...(await new SseReader(again).readAll())];
      break;
    }
    case 'leave':
    case 'cancel': {
      await reader!.readUntil(texts(1));
      if (behaviour === 'cancel') {
        await fetch(`${url}/api/generations/${id}/cancel`, { method: 'POST' });
        const rest = await reader!.readAll();
        if (rest.at(-1)?.event !== 'cancelled' && rest.at(-1)?.event !== 'done')
          report.problems.push(`client ${index}: cancel ended with ${rest.at(-1)?.event}`);
      } else await reader!.cancel();
      return;
    }
  }
  const replay = await fetch(`${url}/api/generations/${id}/events`);
  if (replay.status !== 200) {
    report.problems.push(`client ${index} (${behaviour}): replay answered ${replay.status}`);
    return;
  }
  const full = await new SseReader(replay).readAll();
  const { lost, duplicates } = compare(seen, full);
  report.lost += lost;
  report.duplicates += duplicates;
  if (!['done'].includes(full.at(-1)?.event ?? ''))
    report.problems.push(`client ${index} (${behaviour}): ended with ${full.at(-1)?.event}`);
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const emu = await startEmulator({ port: 0, speed: options.speed });
  const client = new BedrockStreamingClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  });
  const server: BedrockServer = createServer({
    client,
    logger: false,
    heartbeatMs: 0,
    disconnectGraceMs: 0,
    // Bounded, yet large enough that a finished generation outlives its own client's replay check.
    maxFinishedGenerations: Math.max(50, options.concurrency * 4),
    ...(options.redis === undefined ? {} : { redisUrl: options.redis.url, redisKeyPrefix: options.redis.keyPrefix }),
    ...options.server,
  });
  const url = await server.listen(0);
  const report: LoadReport = {
    streams: options.streams,
    byBehaviour: { stay: 0, slow: 0, reconnect: 0, leave: 0, cancel: 0 },
    lost: 0,
    duplicates: 0,
    upstreamLeftOpen: 0,
    leftRunning: 0,
    heapGrowthMiB: 0,
    eventLoopP99Ms: 0,
    seconds: 0,
    problems: [],
  };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const startedAt = performance.now();
  loop.enable();
  let next = 0;
  const worker = async () => {
    while (next < options.streams) {
      const index = next++;
      const behaviour = BEHAVIOURS[index % BEHAVIOURS.length]!;
      report.byBehaviour[behaviour]++;
      try {
        await oneClient(url, behaviour, index, options.maxTokens, report);
      } catch (error) {
        report.problems.push(`client ${index} (${behaviour}): ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  loop.disable();
  report.seconds = (performance.now() - startedAt) / 1000;
  report.eventLoopP99Ms = loop.percentile(99) / 1e6;
  // Every upstream request has ended: clients that left closed theirs (client-aborted), the rest finished.
  const until = Date.now() + 10_000;
  while (emu.requestLog.entries().some((entry) => entry.outcome === 'pending') && Date.now() < until) await sleep(50);
  report.upstreamLeftOpen = emu.requestLog.entries().filter((entry) => entry.outcome === 'pending').length;
  const generations = server.context.generations;
  report.leftRunning =
    server.context.inflight.size + (generations instanceof GenerationService ? generations.running : 0);
  await server.close({ graceMs: 1_000 });
  if (options.redis !== undefined) report.redisKeys = await redisKeys(options.redis.url, options.redis.keyPrefix);
  client.destroy();
  await emu.close();
  await sleep(100);
  gc();
  report.heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  return report;
}
