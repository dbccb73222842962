/**
 * One measured answer in the real page: open it in Chromium, turn steady reveal on or off, ask for the
 * scripted long answer (typing into the prompt box all the while it streams, when asked), and reduce what
 * the probe (bench/page/page-probe.ts) and the DevTools protocol recorded to the figures the page
 * section reports.
 */
import type { Browser, Page } from 'playwright-core';
import { percentile } from '../support/report.js';
import { PROBE_SCRIPT, type ProbeData } from './page-probe.js';
import { TRACE_CATEGORIES, traceBreakdown, type TraceBreakdown } from './trace-breakdown.js';

export interface PageRunOptions {
  url: string;
  prompt: string;
  /** The page's "Steady reveal" setting. */
  smooth: boolean;
  /** Chromium's CPU slowdown (1 = none). */
  cpuThrottle: number;
  maxTokens: number;
  /** Type into the prompt box, a key every ~50 ms, from the first text to the end of the answer. */
  typeWhileStreaming: boolean;
  /** Record a Chromium trace and break the main thread's time down (slows the page a little). */
  trace?: boolean;
}

export interface PageRunResult {
  /** From the first text event's arrival to the last one's. */
  streamMs: number;
  /** Text events the page received (one per upstream chunk). */
  textEvents: number;
  /** Body reads that carried text (several events can share one read). */
  textReads: number;
  /** Main-thread busy time (DevTools Performance.getMetrics TaskDuration) from the first text to the final DOM. */
  mainThreadMs: number;
  /** The main thread's CPU time in the same window (ThreadTime): what the page used, without waits for a CPU. */
  cpuMs: number;
  scriptMs: number;
  /** RecalcStyleDuration + LayoutDuration. */
  styleLayoutMs: number;
  /** The rest of TaskDuration: paint, HTML parsing, garbage collection, event dispatch, networking. */
  otherMs: number;
  /** The window the DevTools figures cover (first text to a moment after the final DOM). */
  metricsWindowMs: number;
  /** Frames in which the page's painter updated the answer. */
  updates: number;
  /** The renderer's own render() per updated frame (timed in the build), median over the first / last quarter. */
  renderFirstQuarterMs: number;
  renderLastQuarterMs: number;
  renderTotalMs: number;
  /** Whole updated frames (page callback, then style, layout, paint), median over the first / last quarter. */
  frameFirstQuarterMs: number;
  frameLastQuarterMs: number;
  longTasks: number;
  longestTaskMs: number;
  /** The longest animation frame while streaming: a long-animation-frame entry, or a gap between frames. */
  longestFrameMs: number;
  longestFrameSource: 'long-animation-frame' | 'rAF gaps';
  /** What the longest long-animation-frame was made of (scripts, style and layout, rendering). */
  longestFrameDetail: string;
  /** Every animation frame over 50 ms while streaming, with its longest script (long-animation-frame). */
  longFramesOver50: string[];
  /** Frames while streaming over the frames a 60 Hz display shows in that time. */
  framesDelivered: number;
  arrivalToPaintP50: number;
  arrivalToPaintP95: number;
  /** From the last read that changed the answer on screen to the end of the frame that showed it. */
  lastChunkToPaintMs: number;
  /** From the `done` event's arrival to the answer's final DOM (data-phase done) and to its paint. */
  doneToFinalMs: number;
  doneToPaintMs: number;
  /** The renderer's finish() alone. */
  finishMs: number;
  /** Nodes of the answer removed after `done` arrived (a full re-render removes every block). */
  removedAtEnd: number;
  /** The answer's blocks when `done` arrived, and those of them replaced by the end (ours: the open tail at most). */
  blocksAtDone: number;
  blocksReplacedAtEnd: number;
  /** Top-level blocks of the final answer. */
  blocks: number;
  /** Keys typed while the answer streamed (keydown events the page saw). */
  keystrokes: number;
  /** Each keydown to the end of the next frame (input to next paint). */
  keyP50Ms: number;
  keyMaxMs: number;
  /** Event Timing entries of 16 ms or more (keydown, keypress, keyup, input), and the longest. */
  slowEventTimings: number;
  eventTimingMaxMs: number;
  /** The slowest Event Timing entry: input delay, handlers, then the wait for the next paint. */
  slowestEventDetail: string;
  /** With `trace`: the main thread's self time by kind, between the first text and the final DOM. */
  trace: TraceBreakdown | undefined;
  /** The answer as the page stored it, and its rendered text. */
  finalText: string;
  renderedText: string;
}

const FRAME_MS = 1000 / 60;
const TYPED = 'while it streams the prompt box stays responsive ';

export async function runPage(browser: Browser, options: PageRunOptions): Promise<PageRunResult> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.addInitScript(PROBE_SCRIPT);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  try {
    await page.goto(options.url);
    await page.waitForSelector('#model option', { state: 'attached' });
    await page.locator('#settings-toggle').click();
    await page.locator('#max-tokens').fill(String(options.maxTokens));
    await page.locator('#max-tokens').press('Tab');
    await page.locator('#smooth').setChecked(options.smooth);
    await page.locator('#settings-toggle').click();
    await page.locator('#prompt').fill(options.prompt);
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    if (options.trace === true) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
    if (options.cpuThrottle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpuThrottle });
    await page.locator('#prompt').press('Enter');
    // Polled on a timer: a rAF poll would run inside the frames being measured.
    await page.waitForFunction(() => (window as unknown as Probed).__probe.reads.length > 0, undefined, {
      polling: 10,
      timeout: 30_000,
    });
    const before = metrics(await cdp.send('Performance.getMetrics'));
    if (options.typeWhileStreaming) await typeUntilDone(page);
    await page.waitForFunction(
      () => document.querySelector('li.message.assistant:last-child')?.getAttribute('data-phase') === 'done',
      undefined,
      { polling: 10, timeout: 180_000 },
    );
    await page.waitForTimeout(250);
    const after = metrics(await cdp.send('Performance.getMetrics'));
    const trace =
      options.trace === true
        ? traceBreakdown(await browser.stopTracing(), 'bench-first-text', 'bench-final-dom', 250)
        : undefined;
    if (options.cpuThrottle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const data = await page.evaluate(() => (window as unknown as Probed).__probe);
    const final = await page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem('bedrock-chat:conversation:v1') ?? '{}') as {
        messages?: { content: string }[];
      };
      const answer = document.querySelector('li.message.assistant:last-child .answer');
      return {
        text: stored.messages?.at(-1)?.content ?? '',
        rendered: answer?.textContent ?? '',
        blocks: answer?.childElementCount ?? 0,
      };
    });
    return { ...reduce(data, before, after, final), trace };
  } finally {
    await context.close();
  }
}

/** The page's window with the probe (functions run in the page cannot call anything defined here). */
interface Probed {
  __probe: ProbeData;
}

/** Types into the prompt box, a key then 50 ms, until the answer is done. */
async function typeUntilDone(page: Page): Promise<void> {
  await page.locator('#prompt').focus();
  let typed = 0;
  const done = () =>
    page.evaluate(
      () => document.querySelector('li.message.assistant:last-child')?.getAttribute('data-phase') === 'done',
    );
  while (typed % 4 !== 0 || !(await done())) {
    await page.keyboard.type(TYPED[typed % TYPED.length]!);
    typed += 1;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function metrics(result: { metrics: { name: string; value: number }[] }): Record<string, number> {
  return Object.fromEntries(result.metrics.map((metric) => [metric.name, metric.value]));
}

function reduce(
  probe: ProbeData,
  before: Record<string, number>,
  after: Record<string, number>,
  final: { text: string; rendered: string; blocks: number },
): Omit<PageRunResult, 'trace'> {
  const first = probe.reads[0]?.[0] ?? 0;
  const last = probe.reads.at(-1)?.[0] ?? first;
  const streaming = (t: number) => t >= first && t <= last;
  const delta = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) * 1000;
  const main = delta('TaskDuration');
  const script = delta('ScriptDuration');
  const styleLayout = delta('RecalcStyleDuration') + delta('LayoutDuration');

  // The page's painter updates inside frame callbacks; each render is matched to the end of its frame.
  const renders = probe.renders.filter(([start]) => streaming(start));
  const quarter = Math.max(1, Math.floor(renders.length / 4));
  const renderMs = renders.map(([, duration]) => duration);
  const callbacks = probe.callbacks.filter(([start]) => streaming(start));
  const frameMs = callbacks
    .map(([start]) => (after_(probe.frameEnds, start) ?? Number.NaN) - start)
    .filter(Number.isFinite);
  const frameQuarter = Math.max(1, Math.floor(frameMs.length / 4));

  const frames = probe.frames.filter(streaming);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  const longFrames = probe.longFrames.filter(([start]) => streaming(start));
  const longest = longFrames.reduce<ProbeData['longFrames'][number] | undefined>(
    (max, frame) => (max === undefined || frame[1] > max[1] ? frame : max),
    undefined,
  );
  const longTasks = probe.longTasks.filter(([start]) => streaming(start)).map(([, duration]) => duration);

  // Every text event counts once, at its read's time.
  const delays: number[] = [];
  for (const [t, events] of probe.reads) {
    const delay = onScreen(probe, t) - t;
    if (Number.isFinite(delay)) for (let i = 0; i < events; i++) delays.push(delay);
  }
  const done = probe.doneRead;
  const beforeDone = ([start]: [number, ...unknown[]]) => start >= first && (done === 0 || start <= done);
  const keys = probe.keys.filter(beforeDone).map(([, duration]) => duration);
  const slowEvents = probe.eventTimings.filter(beforeDone);
  const eventTimings = slowEvents.map(([, duration]) => duration);
  const slowest = slowEvents.reduce<ProbeData['eventTimings'][number] | undefined>(
    (max, entry) => (max === undefined || entry[1] > max[1] ? entry : max),
    undefined,
  );
  return {
    streamMs: last - first,
    textEvents: probe.reads.reduce((sum, [, events]) => sum + events, 0),
    textReads: probe.reads.length,
    mainThreadMs: main,
    cpuMs: delta('ThreadTime'),
    scriptMs: script,
    styleLayoutMs: styleLayout,
    otherMs: main - script - styleLayout,
    metricsWindowMs: ((after['Timestamp'] ?? 0) - (before['Timestamp'] ?? 0)) * 1000,
    updates: renders.length,
    renderFirstQuarterMs: percentile(renderMs.slice(0, quarter), 50),
    renderLastQuarterMs: percentile(renderMs.slice(-quarter), 50),
    renderTotalMs: renderMs.reduce((sum, d) => sum + d, 0),
    frameFirstQuarterMs: percentile(frameMs.slice(0, frameQuarter), 50),
    frameLastQuarterMs: percentile(frameMs.slice(-frameQuarter), 50),
    longTasks: longTasks.filter((duration) => duration > 50).length,
    longestTaskMs: Math.max(0, ...longTasks),
    longestFrameMs: Math.max(0, ...longFrames.map(([, duration]) => duration), ...gaps),
    longestFrameSource: probe.loafSupported ? 'long-animation-frame' : 'rAF gaps',
    longFramesOver50: longFrames
      .filter(([, duration]) => duration > 50)
      .map(([, duration, scripts, , , top]) => `${ms(duration)} (scripts ${ms(scripts)}${top ? `, ${top}` : ''})`),
    longestFrameDetail:
      longest === undefined
        ? 'none over 50 ms'
        : `${ms(longest[1])}: scripts ${ms(longest[2])}, style+layout ${ms(longest[4])}, ` +
          `rendering ${ms(longest[3])}; longest script: ${longest[5] || 'none'}`,
    framesDelivered: frames.length / Math.max(1, (last - first) / FRAME_MS),
    arrivalToPaintP50: percentile(delays, 50),
    arrivalToPaintP95: percentile(delays, 95),
    lastChunkToPaintMs: lastVisibleChunkToPaint(probe),
    doneToFinalMs: done > 0 && probe.phaseDone > 0 ? probe.phaseDone - done : Number.NaN,
    doneToPaintMs: done > 0 ? (after_(probe.frameEnds, probe.phaseDone) ?? Number.NaN) - done : Number.NaN,
    finishMs: probe.finishes.reduce((sum, [, duration]) => sum + duration, 0),
    removedAtEnd: probe.removedAtEnd,
    blocksAtDone: probe.blocksAtDone,
    blocksReplacedAtEnd: probe.blocksAtDone - probe.blocksKept,
    blocks: final.blocks,
    keystrokes: keys.length,
    keyP50Ms: percentile(keys, 50),
    keyMaxMs: Math.max(0, ...keys),
    slowEventTimings: eventTimings.length,
    eventTimingMaxMs: Math.max(0, ...eventTimings),
    slowestEventDetail:
      slowest === undefined
        ? 'none of 16 ms or more'
        : `${slowest[2]} ${ms(slowest[1])}: input delay ${ms(slowest[3])}, handlers ${ms(slowest[4])}, ` +
          `then ${ms(slowest[1] - slowest[3] - slowest[4])} to the next paint`,
    finalText: final.text,
    renderedText: final.rendered,
  };
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/** The first value after `t` in an ascending list. */
function after_(sorted: number[], t: number): number | undefined {
  return sorted.find((value) => value > t);
}

/**
 * From the last read that changed what the answer shows to the end of the frame that showed it. The
 * stream's last read may carry only whitespace (the quick fixture ends on a paragraph break) that changes
 * nothing on screen: that read has no paint of its own, so the read before it is the last one that counts.
 */
function lastVisibleChunkToPaint(probe: ProbeData): number {
  const lastMutation = probe.mutations.at(-1) ?? Number.NaN;
  for (let i = probe.reads.length - 1; i >= 0; i--) {
    const t = probe.reads[i]![0];
    if (t < lastMutation) return onScreen(probe, t) - t;
  }
  return Number.NaN;
}

/** When what arrived at `t` was on screen: the end of the frame that made the first change to the answer after it. */
function onScreen(probe: ProbeData, t: number): number {
  const mutation = after_(probe.mutations, t);
  if (mutation === undefined) return Number.NaN;
  return after_(probe.frameEnds, mutation) ?? Number.NaN;
}
