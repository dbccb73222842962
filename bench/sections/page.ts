/**
 * Section 4: the chat page in headless Chromium. A ~33,000-character markdown answer
 * (test/fixtures/markdown/long-answer.md: headings, nested lists, four tables, nine code blocks, one of
 * 128 lines) streams at ~200 chunks/s through the real server and emulator into the real page, built
 * several times in the same run: with its block-wise renderer, with the naive renderer swapped in, with
 * no renderer (the baseline the renderers' costs are measured from) and as plain text. Main-thread time
 * comes from the DevTools protocol (Performance.getMetrics), everything per frame and per chunk from an
 * in-page probe (bench/page/). The page's targets are checked at the end; a missed one fails the run.
 */
import { measurePage, type PageMeasurement, type VariantResult } from '../page/page-measure.js';
import { TRACE_GROUPS } from '../page/trace-breakdown.js';
import type { BenchTable } from '../support/report.js';

export async function pageSection(options: { quick: boolean }): Promise<BenchTable[]> {
  return pageTables(await measurePage(options));
}

export function pageTables(measurement: PageMeasurement): BenchTable[] {
  const measured = { ...measurement, results: measurement.results.filter((r) => r.trace === undefined) };
  const traced = measurement.results.filter((r) => r.trace !== undefined);
  return [
    costTable(measured),
    latencyTable(measured),
    ...(traced.length > 0 ? [traceTable(traced)] : []),
    targetsTable(measured),
  ];
}

function costTable({ text, expectedChunks, results, load }: PageMeasurement): BenchTable {
  const baseline = find(results, 'baseline');
  const ours = find(results, 'ours');
  const rate = ours === undefined ? 0 : ours.textEvents / (ours.streamMs / 1000);
  return {
    section: 'page',
    title:
      `Page: main-thread cost of a ${text.length.toLocaleString('en-US')}-character answer streamed as ` +
      `${expectedChunks.toLocaleString('en-US')} chunks (${Math.round(rate)}/s), per renderer`,
    columns: [
      'variant',
      'stream s',
      'busy ms',
      'CPU ms (runs)',
      'CPU % of stream',
      'CPU over baseline ms',
      'script ms',
      'style+layout ms',
      'other ms',
      'CPU per chunk ms',
      'render() total ms',
      'render() ms 1st -> last quarter',
      'frame ms 1st -> last quarter',
    ],
    rows: results.map((r) => [
      r.variant.name,
      round(r.streamMs / 1000, 2),
      Math.round(r.mainThreadMs),
      `${Math.round(r.cpuMs)} (${r.cpuRuns.map(Math.round).join(', ')})`,
      pct(r.cpuMs / r.streamMs),
      baseline === undefined ? '-' : Math.round(r.cpuMs - baseline.cpuMs),
      Math.round(r.scriptMs),
      Math.round(r.styleLayoutMs),
      Math.round(r.otherMs),
      round(r.cpuMs / Math.max(1, r.textEvents), 2),
      Math.round(r.renderTotalMs),
      `${fixed(r.renderFirstQuarterMs)} -> ${fixed(r.renderLastQuarterMs)} (${growth(r)}x)`,
      `${fixed(r.frameFirstQuarterMs)} -> ${fixed(r.frameLastQuarterMs)}`,
    ]),
    notes: [
      `figures: the median of ${results[0]?.runs ?? 0} run(s) per variant, interleaved; load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after, on ${load.cpus} CPUs`,
      'window: from the first text event to 250 ms after the final DOM (DevTools Performance.getMetrics deltas)',
      'busy: TaskDuration, wall time of main-thread tasks (script, style, layout, paint, parsing, GC), which grows when the thread waits for a CPU;',
      "  CPU: ThreadTime, the main thread's CPU time, which does not; script = ScriptDuration; style+layout = RecalcStyleDuration + LayoutDuration;",
      '  other = busy - script - style+layout: paint, compositing, HTML parsing, GC, event and network tasks',
      'CPU over baseline: minus the build with no renderer (the same stream, only its last line shown): what showing the answer costs, renderer and its DOM',
      "render(): the renderer's own JavaScript per updated frame, timed inside the build; quarters = first/last 25% of the updated frames, medians",
      "frame: from the page's frame callback (render, then auto-scroll, whose scroll read forces layout) to the end of that frame's style, layout and paint",
    ],
  };
}

function latencyTable({ results }: PageMeasurement): BenchTable {
  return {
    section: 'page',
    title: 'Page: smoothness and latency while it streams',
    columns: [
      'variant',
      'long tasks >50 ms',
      'longest task ms',
      'longest frame ms',
      'frames %',
      'arrival->paint p50/p95 ms',
      'last chunk->paint ms',
      'done->final DOM ms',
      'finish() ms',
      'blocks replaced at end',
      'keys: n, p50/max ms',
    ],
    rows: results.map((r) => [
      r.variant.name,
      r.longTasks,
      Math.round(r.longestTaskMs),
      Math.round(r.longestFrameMs),
      pct(Math.min(1, r.framesDelivered)),
      `${Math.round(r.arrivalToPaintP50)} / ${Math.round(r.arrivalToPaintP95)}`,
      Math.round(r.lastChunkToPaintMs),
      round(r.doneToFinalMs, 1),
      round(r.finishMs, 1),
      `${r.blocksReplacedAtEnd} of ${r.blocksAtDone}`,
      r.keystrokes === 0 ? '-' : `${r.keystrokes}, ${Math.round(r.keyP50Ms)} / ${Math.round(keyMax(r))}`,
    ]),
    notes: [
      'long tasks: PerformanceObserver longtask; longest frame: long-animation-frame entries and gaps between animation frames',
      'frames: animation frames while streaming over those of a 60 Hz display in the same time',
      'arrival->paint: from the read that brought a text event (the browser client hands it to the page in the same task) to the end of the first frame that changed the answer after it',
      "done->final DOM: from the read that brought `done` to the answer's data-phase=done (after finish()); blocks replaced: of the answer's blocks when `done` arrived, those gone at the end (a full re-render replaces all)",
      'keys: a key every ~50 ms into the prompt box from the first text to the end, each keydown to the end of the next frame (max includes Event Timing durations)',
      ...results
        .filter((r) => r.longestFrameDetail !== 'none over 50 ms' || r.slowestEventDetail !== 'none of 16 ms or more')
        .map(
          (r) =>
            `${r.variant.name}: longest frame ${r.longestFrameDetail}` +
            (r.keystrokes > 0 ? `; slowest key event: ${r.slowestEventDetail}` : ''),
        ),
      ...results
        .filter((r) => r.variant.build === 'ours' && r.variant.cpuThrottle === 1 && r.longFramesOver50.length > 0)
        .map((r) => `${r.variant.name}: frames over 50 ms: ${r.longFramesOver50.join('; ')}`),
    ],
  };
}

function traceTable(results: VariantResult[]): BenchTable {
  return {
    section: 'page',
    title: "Page: where the main thread's time goes (Chromium trace, self time in ms)",
    columns: ['variant', 'window s', ...TRACE_GROUPS, 'total', 'top events (ms)'],
    rows: results.map((r) => {
      const trace = r.trace!;
      const total = TRACE_GROUPS.reduce((sum, group) => sum + trace.groups[group], 0);
      return [
        r.variant.name,
        round(trace.windowMs / 1000, 2),
        ...TRACE_GROUPS.map((group) => Math.round(trace.groups[group])),
        Math.round(total),
        trace.top
          .slice(0, 5)
          .map(([name, ms]) => `${name} ${Math.round(ms)}`)
          .join(', '),
      ];
    }),
    notes: [
      "separate runs with tracing on (devtools.timeline, v8, toplevel): each event's self time on the page's main thread, first text event to final DOM + 250 ms",
      'script: JS and the native calls it makes that have no event of their own (DOM building, innerHTML); style: UpdateLayoutTree; paint: PrePaint + Paint;',
      '  compositing: layer updates and commit; other: task overhead, IPC, network and message handling (RunTask and friends)',
    ],
  };
}

interface Target {
  name: string;
  value: string;
  pass: boolean;
}

function targetsTable({ results, jsGzipBytes }: PageMeasurement): BenchTable {
  const get = (key: string) => {
    const result = find(results, key);
    if (result === undefined) throw new Error(`the page section needs the ${key} variant for its targets`);
    return result;
  };
  const baseline = get('baseline');
  const ours = get('ours');
  const naive = get('naive');
  const reveal = get('ours-reveal');
  const typing = get('ours-typing');
  const throttled = get('ours-4x');
  const oursNet = ours.cpuMs - baseline.cpuMs;
  const naiveNet = naive.cpuMs - baseline.cpuMs;
  const normalSpeed = [ours, reveal, typing];
  const longTasks = normalSpeed.reduce((sum, r) => sum + r.longTasks, 0);
  const targets: Target[] = [
    {
      name: 'renderer main thread <= 10% of the stream',
      value: `${Math.round(oursNet)} ms of ${round(ours.streamMs / 1000, 1)} s = ${pct(oursNet / ours.streamMs)}`,
      pass: oursNet <= 0.1 * ours.streamMs,
    },
    {
      name: "renderer main thread <= 15% of the naive one's",
      value: `${Math.round(oursNet)} vs ${Math.round(naiveNet)} ms = ${pct(oursNet / naiveNet)}`,
      pass: oursNet <= 0.15 * naiveNet,
    },
    {
      name: 'update cost, last quarter <= 1.3x the first',
      value: `${growth(ours)}x (naive ${growth(naive)}x)`,
      pass: ours.renderLastQuarterMs <= 1.3 * ours.renderFirstQuarterMs,
    },
    {
      name: 'no long task over 50 ms (normal CPU)',
      value: `${longTasks} (longest ${Math.round(Math.max(...normalSpeed.map((r) => r.longestTaskMs)))} ms)`,
      pass: longTasks === 0,
    },
    {
      name: 'CPU throttled 4x: no animation frame over 200 ms',
      value: `${Math.round(throttled.longestFrameMs)} ms (${throttled.longestFrameSource})`,
      pass: throttled.longestFrameMs <= 200,
    },
    {
      name: '>= 95% of display frames delivered',
      value: pct(Math.min(1, ours.framesDelivered)),
      pass: ours.framesDelivered >= 0.95,
    },
    {
      name: 'last chunk on screen within 50 ms of arrival',
      value: `${Math.round(ours.lastChunkToPaintMs)} ms (steady reveal on: ${Math.round(reveal.lastChunkToPaintMs)} ms)`,
      pass: ours.lastChunkToPaintMs <= 50,
    },
    {
      name: 'every keystroke handled within 100 ms while streaming',
      value: `${typing.keystrokes} keys, slowest ${Math.round(keyMax(typing))} ms`,
      pass: typing.keystrokes > 0 && keyMax(typing) <= 100,
    },
    {
      name: 'done -> final DOM within 16 ms, no full re-render',
      value: `${round(ours.doneToFinalMs, 1)} ms, ${ours.blocksReplacedAtEnd} of ${ours.blocksAtDone} blocks replaced`,
      pass: ours.doneToFinalMs <= 16 && ours.blocksAtDone > 0 && ours.blocksReplacedAtEnd <= 1,
    },
    {
      name: "page's JavaScript <= 60 kB gzip (before lazy languages)",
      value: `${(jsGzipBytes / 1000).toFixed(1)} kB (${jsGzipBytes.toLocaleString('en-US')} bytes)`,
      pass: jsGzipBytes <= 60_000,
    },
  ];
  return {
    section: 'page',
    title: 'Page: targets',
    columns: ['target', 'measured', 'result'],
    rows: targets.map((target) => [target.name, target.value, target.pass ? 'PASS' : 'FAIL']),
    notes: [
      "renderer main thread: main-thread CPU of the page with the renderer minus the page with none (baseline), over the stream's duration (first to last text event)",
      'update cost: median render() per updated frame, last quarter of the stream over the first',
      'no full re-render: at most one of the blocks on screen when `done` arrived (the open tail) is replaced at the end',
      ...(targets.every((target) => target.pass) ? [] : ['FAILED: see the rows marked FAIL']),
    ],
  };
}

function find(results: VariantResult[], key: string): VariantResult | undefined {
  return results.find((result) => result.variant.key === key);
}

function keyMax(result: VariantResult): number {
  return Math.max(result.keyMaxMs, result.eventTimingMaxMs);
}

function growth(result: VariantResult): string {
  return (result.renderLastQuarterMs / Math.max(result.renderFirstQuarterMs, 0.001)).toFixed(2);
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function fixed(value: number): string {
  return value.toFixed(2);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
