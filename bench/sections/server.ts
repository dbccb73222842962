/**
 * Section 3: the streaming server end to end (emulator child -> library -> server child -> HTTP client
 * here, on loopback), against the same text route built with the Vercel AI SDK (`streamText` piped
 * to the response). Server CPU per 1,000 forwarded chunks, heap per held stream, and the time to
 * first byte the server adds over calling the library directly. Issue 4 target: at most 0.5x the
 * Vercel route's CPU per chunk and memory per stream.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BedrockStreamingClient } from '../../src/index.js';
import { BENCH_CREDENTIALS, BENCH_MODEL, BENCH_REGION } from '../drivers/driver.js';
import { startEmulatorProcess } from '../support/emulator-process.js';
import { clearEmulatorRequestLog, setEmulatorSpeed } from '../support/measure-admin.js';
import { percentile, type BenchTable } from '../support/report.js';
import { heldStreamLevels, PACED_MODEL, PACED_TIMING, type HeldLevel } from './server-held.js';

interface ServerChild {
  url: string;
  usage(): Promise<{ cpuMs: number; heapBytes: number }>;
  close(): Promise<void>;
}

interface Route {
  name: string;
  child: 'ours' | 'vercel-ai';
  path: string;
  body: (prompt: string, maxTokens: number) => unknown;
  /** Which upstream API it streams (decides how many chunks the emulator sends). */
  api: 'invoke' | 'converse';
}

const ROUTES: Route[] = [
  {
    name: 'ours: /api/stream-completion (text)',
    child: 'ours',
    path: '/api/stream-completion',
    api: 'invoke',
    body: (prompt, maxTokens) => ({ prompt, maxTokens }),
  },
  {
    name: 'ours: /api/chat (SSE)',
    child: 'ours',
    path: '/api/chat',
    api: 'invoke',
    body: (prompt, maxTokens) => ({ messages: [{ role: 'user', content: prompt }], maxTokens }),
  },
  {
    name: 'ours: /api/stream-completion, converse',
    child: 'ours',
    path: '/api/stream-completion',
    api: 'converse',
    body: (prompt, maxTokens) => ({ prompt, maxTokens, api: 'converse' }),
  },
  {
    name: 'vercel-ai: streamText piped (text)',
    child: 'vercel-ai',
    path: '/',
    api: 'converse',
    body: (prompt, maxTokens) => ({ prompt, maxTokens }),
  },
];
const BASELINE = 'vercel-ai: streamText piped (text)';
const PROMPTS = Array.from({ length: 16 }, (_, i) => `Tell me story number ${i} in 80 sentences.`);
const MAX_TOKENS = 4_000;

function startChild(variant: 'ours' | 'vercel-ai', emulatorUrl: string): Promise<ServerChild> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./server-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, BENCH_SERVER_VARIANT: variant, BENCH_EMULATOR_URL: emulatorUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() => new Promise<T>((resolve) => child.once('message', (message) => resolve(message as T)));
  return next<{ url: string }>().then(({ url }) => ({
    url,
    usage: () => {
      child.send('usage');
      return next<{ cpuMs: number; heapBytes: number }>();
    },
    close: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))),
  }));
}

async function post(url: string, body: unknown, signal?: AbortSignal, onFirstByte?: () => void): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  const reader = response.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    if (bytes === 0) onFirstByte?.();
    bytes += value.byteLength;
  }
}

/** Upstream text chunks per API for the workload: what the server forwards. */
async function upstreamChunks(client: BedrockStreamingClient, api: 'invoke' | 'converse'): Promise<number> {
  let chunks = 0;
  for (const prompt of PROMPTS) {
    for await (const event of client.invokeStream({ prompt, maxTokens: MAX_TOKENS, api }).events())
      if (event.type === 'text') chunks += 1;
  }
  return chunks;
}

async function cpuPerThousand(route: Route, child: ServerChild, chunks: number, rounds: number): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const before = await child.usage();
    let next = 0;
    const worker = async () => {
      while (next < PROMPTS.length) await post(child.url + route.path, route.body(PROMPTS[next++]!, MAX_TOKENS));
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const after = await child.usage();
    samples.push(((after.cpuMs - before.cpuMs) / chunks) * 1000);
  }
  return percentile(samples, 50);
}

async function heapPerStream(route: Route, child: ServerChild, streams: number): Promise<number> {
  const before = await child.usage();
  const abort = new AbortController();
  let firsts = 0;
  let allFirst: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (allFirst = resolve));
  const running = Array.from({ length: streams }, (_, i) =>
    post(child.url + route.path, route.body(`Hold story ${i}.`, MAX_TOKENS), abort.signal, () => {
      if (++firsts === streams) allFirst();
    }).catch(() => 0),
  );
  await ready;
  const held = await child.usage();
  abort.abort();
  await Promise.all(running);
  return (held.heapBytes - before.heapBytes) / streams;
}

async function firstByteMs(run: (onFirst: () => void) => Promise<unknown>, samples: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    let first = 0;
    await run(() => (first ||= performance.now() - started));
    times.push(first);
  }
  return percentile(times, 50);
}

interface LoggedRequest {
  outcome: string;
  endedAt?: number;
}

/**
 * From the client dropping its stream (after the first body byte) to the emulator seeing the upstream
 * request closed: Date.now() here against the emulator child's request log (same machine clock).
 */
async function disconnectToUpstreamClosedMs(route: Route, child: ServerChild, emulatorUrl: string, samples: number) {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    await clearEmulatorRequestLog(emulatorUrl);
    const abort = new AbortController();
    let droppedAt = 0;
    await post(child.url + route.path, route.body(`Tell me a long story ${i}.`, MAX_TOKENS), abort.signal, () => {
      droppedAt = Date.now();
      abort.abort();
    }).catch(() => 0);
    for (let polls = 0; polls < 200; polls += 1) {
      const { requests } = (await (await fetch(`${emulatorUrl}/_emulator/requests`)).json()) as {
        requests: LoggedRequest[];
      };
      const ended = requests.find((request) => request.endedAt !== undefined);
      if (ended !== undefined) {
        if (ended.outcome === 'client-aborted') times.push(ended.endedAt! - droppedAt);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return times.length === samples ? percentile(times, 50) : Number.NaN;
}

export async function serverSection(options: { quick: boolean }): Promise<BenchTable[]> {
  const rounds = options.quick ? 2 : 5;
  const held = options.quick ? 50 : 200;
  const emulator = await startEmulatorProcess({
    speed: 'instant',
    timing: { families: { 'anthropic-messages': { jitter: 0 } }, models: { [PACED_MODEL]: PACED_TIMING } },
  });
  const client = new BedrockStreamingClient({
    endpoint: emulator.url,
    region: BENCH_REGION,
    credentials: BENCH_CREDENTIALS,
    modelId: BENCH_MODEL,
  });
  const children = {
    ours: await startChild('ours', emulator.url),
    'vercel-ai': await startChild('vercel-ai', emulator.url),
  };
  const rows = new Map<string, { cpu: number; heap: number; ttfb: number; disconnect: number }>();
  let levels: HeldLevel[] = [];
  try {
    const chunks = {
      invoke: await upstreamChunks(client, 'invoke'),
      converse: await upstreamChunks(client, 'converse'),
    };
    for (const route of ROUTES) {
      const child = children[route.child];
      await post(child.url + route.path, route.body('warm up', 50));
      rows.set(route.name, {
        cpu: await cpuPerThousand(route, child, chunks[route.api], rounds),
        heap: 0,
        ttfb: 0,
        disconnect: 0,
      });
    }
    await setEmulatorSpeed(emulator.url, 'realistic');
    const samples = options.quick ? 3 : 6;
    const direct = await firstByteMs(async (onFirst) => {
      for await (const event of client.invokeStream({ prompt: 'Say hello.', maxTokens: 20 }).events())
        if (event.type === 'text') onFirst();
    }, samples);
    for (const route of ROUTES) {
      const child = children[route.child];
      const ttfb = await firstByteMs(
        (onFirst) => post(child.url + route.path, route.body('Say hello.', 20), undefined, onFirst),
        samples,
      );
      const heap = await heapPerStream(route, child, held);
      const disconnect = await disconnectToUpstreamClosedMs(route, child, emulator.url, samples);
      rows.set(route.name, { ...rows.get(route.name)!, heap, ttfb: ttfb - direct, disconnect });
    }
    levels = await heldStreamLevels(
      children.ours.url,
      options.quick ? [25, 50, 75, 100] : [50, 75, 100, 150, 200, 300, 400],
      { server: async () => (await children.ours.usage()).cpuMs, emulator: async () => (await emulator.usage()).cpuMs },
    );
  } finally {
    client.destroy();
    await Promise.all([children.ours.close(), children['vercel-ai'].close()]);
    await emulator.close();
  }
  const base = rows.get(BASELINE)!;
  return [
    {
      section: 'server',
      title: `Streaming server end to end (emulator -> library -> server -> fetch on loopback), ${held} held streams`,
      columns: [
        'route',
        'server CPU ms / 1k chunks',
        'x vercel-ai',
        'heap KiB / held stream',
        'x vercel-ai',
        'added TTFB ms',
        'disconnect -> upstream closed ms',
      ],
      rows: ROUTES.map((route) => {
        const row = rows.get(route.name)!;
        return [
          route.name,
          row.cpu,
          row.cpu / base.cpu,
          row.heap / 1024,
          row.heap / base.heap,
          row.ttfb,
          row.disconnect,
        ];
      }),
      notes: [
        'Target (issue 4): at most 0.5x the Vercel AI SDK route in CPU per chunk and memory per stream.',
        'Chunks are the upstream text chunks the server forwards (Invoke and Converse stream different counts).',
        'Added TTFB: median first body byte through the server minus the library called directly (realistic pace).',
        'Disconnect: median from the client dropping its stream to the emulator logging the upstream request closed (target 100 ms).',
      ],
    },
    {
      section: 'server',
      title: 'SSE streams held at 50 chunks/s each (ours, /api/chat): p99 added delay per chunk',
      columns: [
        'concurrent streams',
        'p99 added delay ms',
        'completed',
        'under 50 ms',
        'CPU % server',
        'emulator',
        'load client',
      ],
      rows: levels.map((level) => [
        level.streams,
        level.p99AddedMs,
        level.completed,
        level.p99AddedMs < 50 ? 'yes' : 'no',
        level.cpu.server,
        level.cpu.emulator,
        level.cpu.client,
      ]),
      notes: [
        "Added delay: a chunk's gap after the previous one minus that gap with one stream alone (0 when early).",
        "Emulator, server and load client share the 2 cores, so this is an upper bound on the server's share.",
        'CPU %: of one core, averaged over the level (the server child includes the library and its upstream reads).',
      ],
    },
  ];
}
