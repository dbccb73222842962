/**
 * The page section's measurements, shared by `npm run bench` and its smoke test: the page built several
 * times with a different markdown module each (esbuild swaps src/web/markdown/index.ts for
 * bench/page/<build>-markdown.ts, so everything else is the same page), one server per build on one
 * emulator that answers with the scripted fixture at ~200 chunks/s, one Chromium, one run per variant.
 */
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'esbuild';
import { buildWeb, type WebManifest } from '../../scripts/build-web.mjs';
import { startEmulator } from '../../src/emulator/index.js';
import { countTokens } from '../../src/emulator/text/tokenizer.js';
import { BedrockStreamingClient } from '../../src/index.js';
import { createServer } from '../../src/server/index.js';
import { launchChromium } from '../../test/support/chromium.js';
import { runPage, type PageRunResult } from './page-run.js';

export const FIXTURE = fileURLToPath(new URL('../../test/fixtures/markdown/long-answer.md', import.meta.url));
const MODEL = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const TOKENS_PER_CHUNK = 4;
/**
 * Four tokens a chunk, no jitter, a 5 ms wait between chunks: with the emulator's timer and write overhead
 * on top, ~190 chunks a second (Node's timers have a 1 ms grain: any faster setting waits 4 ms, ~230/s).
 * The section prints the rate the page got.
 */
const TIMING = {
  firstTokenMs: 300,
  tokensPerSecond: 800,
  tokensPerChunk: [TOKENS_PER_CHUNK, TOKENS_PER_CHUNK] as const,
  jitter: 0,
};

/**
 * The page with its own renderer; with the naive one updated once per animation frame (the reference for
 * the targets); with the naive one behind the page's own painter (fewer, spaced updates); with none (last
 * line only); with plain text.
 */
export type Build = 'ours' | 'naive' | 'naive-batched' | 'plain' | 'text';

export interface Variant {
  key: string;
  name: string;
  build: Build;
  smooth: boolean;
  cpuThrottle: number;
  typing: boolean;
  /** A traced run (bench/page/trace-breakdown.ts), for the breakdown table only. */
  trace?: boolean;
}

export const VARIANTS: Variant[] = [
  {
    key: 'baseline',
    name: 'baseline: no renderer (last line)',
    build: 'plain',
    smooth: false,
    cpuThrottle: 1,
    typing: false,
  },
  { key: 'text', name: 'plain text, no markdown', build: 'text', smooth: false, cpuThrottle: 1, typing: false },
  { key: 'ours', name: 'ours (block-wise)', build: 'ours', smooth: false, cpuThrottle: 1, typing: false },
  { key: 'naive', name: 'naive (whole text per frame)', build: 'naive', smooth: false, cpuThrottle: 1, typing: false },
  {
    key: 'naive-batched',
    name: 'naive, batched by our painter',
    build: 'naive-batched',
    smooth: false,
    cpuThrottle: 1,
    typing: false,
  },
  { key: 'ours-reveal', name: 'ours, steady reveal on', build: 'ours', smooth: true, cpuThrottle: 1, typing: false },
  {
    key: 'ours-typing',
    name: 'ours, typing while it streams',
    build: 'ours',
    smooth: false,
    cpuThrottle: 1,
    typing: true,
  },
  {
    key: 'naive-typing',
    name: 'naive, typing while it streams',
    build: 'naive',
    smooth: false,
    cpuThrottle: 1,
    typing: true,
  },
  { key: 'ours-4x', name: 'ours, CPU throttled 4x', build: 'ours', smooth: false, cpuThrottle: 4, typing: false },
  { key: 'naive-4x', name: 'naive, CPU throttled 4x', build: 'naive', smooth: false, cpuThrottle: 4, typing: false },
  ...(
    [
      ['baseline', 'plain', 'baseline'],
      ['text', 'text', 'plain text'],
      ['ours', 'ours', 'ours'],
      ['naive', 'naive', 'naive'],
    ] as const
  ).map(([key, build, name]) => ({
    key: `${key}-trace`,
    name: `${name}, traced`,
    build,
    smooth: false,
    cpuThrottle: 1,
    typing: false,
    trace: true,
  })),
];

export interface VariantResult extends PageRunResult {
  variant: Variant;
  /** Events the emulator wrote for this answer (text chunks plus the stream's opening and closing events). */
  upstreamEvents: number;
  /** Runs of this variant; every figure above is their median. */
  runs: number;
  /** The main thread's CPU time in each run. */
  cpuRuns: number[];
}

export interface PageMeasurement {
  text: string;
  /** Text chunks the emulator streams for the text (its tokenizer, four tokens a chunk). */
  expectedChunks: number;
  results: VariantResult[];
  /** The real page's JavaScript (entry and its static imports, not the lazily loaded languages), gzipped. */
  jsGzipBytes: number;
  /** The machine's load average (1 min) before and after, and its CPU count: a shared machine shows here. */
  load: { before: number; after: number; cpus: number };
}

/** The answer streamed: the whole fixture, or (quick) its first five sections (two tables, four code blocks, the long one included). */
export function benchText(quick: boolean): string {
  const full = readFileSync(FIXTURE, 'utf8');
  return quick ? full.slice(0, full.indexOf('## 6.')) : full;
}

/**
 * Runs every variant (or `only` those) `repeats` times, interleaved (default: 3 in a full run, 1 in a quick
 * one; BENCH_PAGE_REPEATS overrides), and the traced variants once.
 */
export async function measurePage(options: {
  quick: boolean;
  only?: string[];
  repeats?: number;
}): Promise<PageMeasurement> {
  const text = benchText(options.quick);
  const repeats = options.repeats ?? (Number(process.env.BENCH_PAGE_REPEATS) || (options.quick ? 1 : 3));
  const variants = options.only ? VARIANTS.filter((variant) => options.only!.includes(variant.key)) : VARIANTS;
  const builds = [...new Set(variants.map((variant) => variant.build))];
  const realDir = await mkdtemp(path.join(tmpdir(), 'page-real-'));
  const dirs = {} as Record<Build, string>;
  const emulator = await startEmulator({ port: 0, speed: 'realistic', timing: { models: { [MODEL]: TIMING } } });
  emulator.scripts.add({ match: { prompt: 'bench-long-answer' }, answer: { text } });
  const client = new BedrockStreamingClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const servers: ReturnType<typeof createServer>[] = [];
  const urls = {} as Record<Build, string>;
  const browser = await launchChromium();
  const runs = new Map<Variant, (PageRunResult & { upstreamEvents: number })[]>();
  const loadBefore = loadavg()[0]!;
  try {
    const manifest = await buildWeb({ outdir: realDir });
    for (const build of builds) {
      dirs[build] = await mkdtemp(path.join(tmpdir(), `page-${build}-`));
      await buildWeb({ outdir: dirs[build], plugins: [swapRenderer(build)] });
      const server = createServer({ client, page: { dir: dirs[build] }, logger: false, defaultModel: MODEL });
      servers.push(server);
      urls[build] = await server.listen(0);
    }
    const schedule = [
      ...Array.from({ length: repeats }, () => variants.filter((variant) => variant.trace !== true)).flat(),
      ...variants.filter((variant) => variant.trace === true),
    ];
    for (const variant of schedule) {
      const result = await runPage(browser, {
        url: urls[variant.build],
        prompt: 'bench-long-answer',
        smooth: variant.smooth,
        cpuThrottle: variant.cpuThrottle,
        maxTokens: 20_000,
        typeWhileStreaming: variant.typing,
        trace: variant.trace ?? false,
      });
      if (result.finalText !== text)
        throw new Error(`${variant.name}: the page's answer differs from the streamed text`);
      const entry = emulator.requestLog.entries().findLast((logged) => logged.scripted === true);
      runs.set(variant, [...(runs.get(variant) ?? []), { ...result, upstreamEvents: entry?.chunksSent ?? 0 }]);
    }
    return {
      text,
      expectedChunks: Math.ceil(countTokens(text) / TOKENS_PER_CHUNK),
      results: variants.map((variant) => ({ ...median(runs.get(variant)!), variant })),
      jsGzipBytes: eagerJavaScriptGzip(realDir, manifest),
      load: { before: loadBefore, after: loadavg()[0]!, cpus: cpus().length },
    };
  } finally {
    await browser.close();
    await Promise.all(servers.map((server) => server.close({ graceMs: 100 })));
    client.destroy();
    await emulator.close();
    for (const dir of [realDir, ...Object.values(dirs)]) rmSync(dir, { recursive: true, force: true });
  }
}

/** Every figure the median of the runs; texts, details and the trace from the run with the median CPU time. */
function median(runs: (PageRunResult & { upstreamEvents: number })[]): Omit<VariantResult, 'variant'> {
  const byCpu = [...runs].sort((a, b) => a.cpuMs - b.cpuMs);
  const middle = { ...byCpu[Math.floor((byCpu.length - 1) / 2)]! } as Record<string, unknown>;
  for (const [key, value] of Object.entries(middle)) {
    if (typeof value !== 'number') continue;
    const values = runs.map((run) => (run as unknown as Record<string, number>)[key]!).sort((a, b) => a - b);
    const half = Math.floor(values.length / 2);
    middle[key] = values.length % 2 === 1 ? values[half]! : (values[half - 1]! + values[half]!) / 2;
  }
  return {
    ...(middle as unknown as PageRunResult & { upstreamEvents: number }),
    runs: runs.length,
    cpuRuns: runs.map((run) => run.cpuMs),
  };
}

/**
 * esbuild: the page's markdown module replaced by bench/page/<build>-markdown.ts; in the naive build the
 * painter too, by one that updates on every animation frame (bench/page/per-frame-painter.ts).
 */
function swapRenderer(build: Build): Plugin {
  const replacement = fileURLToPath(new URL(`./${build}-markdown.ts`, import.meta.url));
  const perFramePainter = fileURLToPath(new URL('./per-frame-painter.ts', import.meta.url));
  const fromPage = (importer: string) => importer.includes(`${path.sep}web${path.sep}app${path.sep}`);
  return {
    name: `${build}-renderer`,
    setup(esbuild) {
      esbuild.onResolve({ filter: /\/markdown\/index\.js$/ }, (args) =>
        fromPage(args.importer) ? { path: replacement } : undefined,
      );
      if (build === 'naive')
        esbuild.onResolve({ filter: /\/frame-painter\.js$/ }, (args) =>
          fromPage(args.importer) ? { path: perFramePainter } : undefined,
        );
    },
  };
}

/** The entry and every file it imports statically, gzipped: what the page loads before any language. */
function eagerJavaScriptGzip(dir: string, manifest: WebManifest): number {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of manifest.outputs[file]?.imports ?? []) visit(imported);
  };
  visit(manifest.app);
  return [...seen]
    .filter((file) => file.endsWith('.js'))
    .reduce((sum, file) => sum + gzipSync(readFileSync(path.join(dir, file))).length, 0);
}
