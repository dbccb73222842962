/**
 * One measured answer in the real page: open it in Chromium, turn steady reveal on or off, ask for the
 * scripted long answer, type into the prompt box while it streams, and reduce what the probe and the
 * DevTools protocol recorded to the figures the page section reports.
 */
import type { Browser } from 'playwright-core';
import { percentile } from '../support/report.js';
import { PROBE_SCRIPT, type ProbeData } from './page-probe.js';

export interface PageRunOptions {
  url: string;
  prompt: string;
  smooth: boolean;
  /** Chromium's CPU slowdown (1 = none). */
  cpuThrottle: number;
  maxTokens: number;
  /** Type into the prompt box while the answer streams (keystroke latency; it adds main-thread work). */
  typeWhileStreaming: boolean;
}

export interface PageRunResult {
  streamMs: number;
  /** Main-thread busy time (DevTools TaskDuration) from the first text read to the final DOM. */
  mainThreadMs: number;
  scriptMs: number;
  layoutMs: number;
  chunksRead: number;
  /** The page's own frame callbacks (its paints of the answer). */
  updates: number;
  updateFirstQuarterMs: number;
  updateLastQuarterMs: number;
  longTasks: number;
  longestFrameMs: number;
  framesDelivered: number;
  arrivalToPaintP50: number;
  arrivalToPaintP95: number;
  lastChunkToPaintMs: number;
  doneToFinalMs: number;
  removedAtEnd: number;
  keystrokes: number;
  slowestKeyMs: number;
  finalText: string;
}

const FRAME_MS = 1000 / 60;

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
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    if (options.cpuThrottle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpuThrottle });
    await page.locator('#prompt').fill(options.prompt);
    const before = metrics(await cdp.send('Performance.getMetrics'));
    await page.locator('#prompt').press('Enter');
    await page.waitForFunction(() => ((window as unknown as { __probe: ProbeData }).__probe.reads.length ?? 0) > 20);
    // Typing while the answer streams: one key every 50 ms.
    const typed = options.typeWhileStreaming ? 'while it streams, the prompt box stays responsive' : '';
    if (typed !== '') await page.locator('#prompt').pressSequentially(typed, { delay: 50 });
    await page.waitForFunction(
      () => document.querySelector('li.message.assistant:last-child')?.getAttribute('data-phase') === 'done',
      undefined,
      { timeout: 120_000 },
    );
    await page.waitForTimeout(200);
    const after = metrics(await cdp.send('Performance.getMetrics'));
    if (options.cpuThrottle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    const probe = await page.evaluate(() => (window as unknown as { __probe: ProbeData }).__probe);
    const finalText = await page.evaluate(
      () => JSON.parse(localStorage.getItem('bedrock-chat:conversation:v1') ?? '{}').messages?.at(-1)?.content ?? '',
    );
    return reduce(probe, before, after, typed.length, finalText);
  } finally {
    await context.close();
  }
}

function metrics(result: { metrics: { name: string; value: number }[] }): Record<string, number> {
  return Object.fromEntries(result.metrics.map((metric) => [metric.name, metric.value]));
}

function reduce(
  probe: ProbeData,
  before: Record<string, number>,
  after: Record<string, number>,
  keystrokes: number,
  finalText: string,
): PageRunResult {
  const first = probe.reads[0] ?? 0;
  const last = probe.reads.at(-1) ?? first;
  const end = probe.phaseDone || last;
  const during = (t: number) => t >= first && t <= end;
  const updates = probe.updates.filter(([start]) => during(start)).map(([, duration]) => duration);
  const quarter = Math.max(1, Math.floor(updates.length / 4));
  const frames = probe.frames.filter(during);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  const delays = probe.reads.map((t) => paintAfter(probe, t) - t).filter((d) => Number.isFinite(d));
  const delta = (name: string) => ((after[name] ?? 0) - (before[name] ?? 0)) * 1000;
  return {
    streamMs: end - first,
    mainThreadMs: delta('TaskDuration'),
    scriptMs: delta('ScriptDuration'),
    layoutMs: delta('LayoutDuration') + delta('RecalcStyleDuration'),
    chunksRead: probe.reads.length,
    updates: updates.length,
    updateFirstQuarterMs: percentile(updates.slice(0, quarter), 50),
    updateLastQuarterMs: percentile(updates.slice(-quarter), 50),
    longTasks: probe.longTasks.filter(([start, duration]) => during(start) && duration > 50).length,
    longestFrameMs: Math.max(0, ...probe.longFrames.filter(([start]) => during(start)).map(([, d]) => d), ...gaps),
    framesDelivered: frames.length / Math.max(1, (end - first) / FRAME_MS),
    arrivalToPaintP50: percentile(delays, 50),
    arrivalToPaintP95: percentile(delays, 95),
    lastChunkToPaintMs: paintAfter(probe, last) - last,
    doneToFinalMs: probe.phaseDone > 0 && probe.doneRead > 0 ? probe.phaseDone - probe.doneRead : Number.NaN,
    removedAtEnd: probe.removedAtEnd,
    keystrokes,
    slowestKeyMs: Math.max(0, ...probe.keys),
    finalText,
  };
}

/** The start of the first frame after the first change to the answer at or after `t`: when it was on screen. */
function paintAfter(probe: ProbeData, t: number): number {
  const mutation = probe.mutations.find((m) => m >= t);
  if (mutation === undefined) return Number.NaN;
  return probe.frames.find((f) => f > mutation) ?? Number.NaN;
}
