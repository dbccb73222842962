/**
 * The page's FramePainter in real Chromium (real animation frames): how often it updates the answer
 * while text streams, that the first text and a flush are never held back, that a slow update spaces the
 * next ones out, and that steady reveal never loses or splits text. Every assertion is about counts and
 * the painter's own scheduling rule (frame timestamps), never about how fast this machine is.
 */
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';

interface Update {
  /** The animation frame's timestamp, or -1 when the update came from flush(). */
  at: number;
  delta: string;
}

interface PainterProbe {
  /** Starts a painter whose target records every update; `busyMs` makes each update take that long. */
  start(options: { smooth: boolean; busyMs?: number }): void;
  push(text: string): void;
  flush(): void;
  updates: Update[];
  /** Pushes `chunk` on each of the next `frames` animation frames; resolves with the frames it saw. */
  pushEveryFrame(chunk: string, frames: number): Promise<number[]>;
  nextFrame(): Promise<number>;
}

declare global {
  interface Window {
    painterProbe: PainterProbe;
  }
}

const ENTRY = `
import { FramePainter } from './src/web/app/frame-painter.ts';
let painter;
const probe = {
  updates: [],
  start({ smooth, busyMs = 0 }) {
    probe.updates = [];
    let frameAt = -1;
    painter = new FramePainter({
      show(delta) {
        const until = performance.now() + busyMs;
        while (performance.now() < until);
        probe.updates.push({ at: frameAt, delta });
      },
      painted() {},
    }, smooth);
    // The timestamp of the frame being painted, recorded before the painter's own callback runs.
    const track = (now) => { frameAt = now; requestAnimationFrame(track); };
    requestAnimationFrame(track);
    probe.flushing = () => { frameAt = -1; };
  },
  push(text) { painter.push(text); },
  flush() { probe.flushing(); painter.flush(); },
  nextFrame() { return new Promise((resolve) => requestAnimationFrame(resolve)); },
  pushEveryFrame(chunk, frames) {
    return new Promise((resolve) => {
      const seen = [];
      const tick = (now) => {
        seen.push(now);
        painter.push(chunk);
        if (seen.length < frames) requestAnimationFrame(tick); else resolve(seen);
      };
      requestAnimationFrame(tick);
    });
  },
};
window.painterProbe = probe;
`;

let browser: Browser;
let page: Page;

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const shown = (updates: Update[]) => updates.map((update) => update.delta).join('');

describe('FramePainter', () => {
  it('paints the first text on the next frame, then at most every third frame while text streams', async () => {
    const result = await page.evaluate(async () => {
      const probe = window.painterProbe;
      probe.start({ smooth: false });
      probe.push('first ');
      await probe.nextFrame();
      await probe.nextFrame();
      const afterFirstFrame = probe.updates.length;
      const frames = await probe.pushEveryFrame('word ', 120);
      await probe.nextFrame();
      const beforeFlush = probe.updates.length;
      probe.flush();
      return { afterFirstFrame, frames, beforeFlush, updates: probe.updates };
    });
    expect(result.afterFirstFrame).toBe(1);
    expect(result.updates[0]!.delta).toBe('first ');
    // 120 frames of text: about 40 updates at most (every third frame), and never two within ~45 ms.
    const streamed = result.updates.slice(1).filter((update) => update.at >= 0);
    expect(streamed.length).toBeGreaterThanOrEqual(10);
    expect(streamed.length).toBeLessThanOrEqual(41);
    const times = [result.updates[0]!.at, ...streamed.map((update) => update.at)];
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(44);
    // Nothing is lost: what was shown, flush included, is everything pushed, in order.
    expect(shown(result.updates)).toBe('first ' + 'word '.repeat(120));
  });

  it('flush() shows everything at once, without waiting for a frame', async () => {
    const result = await page.evaluate(async () => {
      const probe = window.painterProbe;
      probe.start({ smooth: true });
      probe.push('a long chunk that steady reveal would spread over several frames '.repeat(20));
      probe.flush();
      const immediately = probe.updates.length;
      await probe.nextFrame();
      await probe.nextFrame();
      return { immediately, updates: probe.updates };
    });
    expect(result.immediately).toBe(1);
    expect(result.updates).toHaveLength(1);
    expect(result.updates[0]!.at).toBe(-1);
  });

  it('spaces updates out when an update is slow (each takes at most a quarter of the time between them)', async () => {
    const result = await page.evaluate(async () => {
      const probe = window.painterProbe;
      probe.start({ smooth: false, busyMs: 20 });
      await probe.pushEveryFrame('x', 90);
      probe.flush();
      return probe.updates;
    });
    const framed = result.filter((update) => update.at >= 0);
    expect(framed.length).toBeGreaterThanOrEqual(3);
    // An update that took >= 20 ms is followed by the next one no sooner than ~80 ms later (4 ms frame slack).
    for (let i = 1; i < framed.length; i += 1) expect(framed[i]!.at - framed[i - 1]!.at).toBeGreaterThanOrEqual(76);
    expect(shown(result)).toBe('x'.repeat(90));
  });

  it('steady reveal spreads a large chunk over a few updates and never splits an emoji', async () => {
    const text = '🙂 steady '.repeat(60);
    const updates = await page.evaluate(async (chunk) => {
      const probe = window.painterProbe;
      probe.start({ smooth: true });
      probe.push(chunk);
      for (let i = 0; i < 60; i += 1) await probe.nextFrame();
      return probe.updates;
    }, text);
    expect(updates.length).toBeGreaterThan(1);
    // Drained within a few updates (each shows at least a quarter of the backlog), not held back.
    expect(updates.length).toBeLessThanOrEqual(16);
    expect(shown(updates)).toBe(text);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const update of updates) expect(update.delta).not.toMatch(loneSurrogate);
  });
});
