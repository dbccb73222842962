/**
 * The page section's measuring code, run in quick mode as a smoke test: the real page (built with our
 * renderer and with the naive one) in Chromium, the quick part of the fixture streamed through the real
 * server and emulator. No timing is asserted here (speed targets live in `npm run bench`, and tests never
 * assert wall-clock figures): only that every figure was measured and is sane, that the page saw exactly
 * the chunks the emulator streamed, and that both renderers ended with the same answer.
 */
import { describe, expect, it } from 'vitest';
import { benchText, measurePage, type VariantResult } from '../../bench/page/page-measure.js';

describe('the page bench (quick)', () => {
  it('measures our renderer (typing while it streams) and the naive one (CPU throttled) in the real page', async () => {
    const { text, expectedChunks, results, jsGzipBytes } = await measurePage({
      quick: true,
      only: ['ours-typing', 'naive-4x'],
    });
    expect(text).toBe(benchText(true));
    expect(results.map((r) => r.variant.key)).toEqual(['ours-typing', 'naive-4x']);
    const [ours, naive] = results as [VariantResult, VariantResult];
    for (const r of results) {
      expect(r.finalText).toBe(text);
      // One text event per emulator chunk, and the emulator wrote those plus a few framing events.
      expect(r.textEvents).toBe(expectedChunks);
      expect(r.upstreamEvents - r.textEvents).toBeGreaterThanOrEqual(0);
      expect(r.upstreamEvents - r.textEvents).toBeLessThanOrEqual(10);
      expect(r.textReads).toBeGreaterThan(0);
      expect(r.textReads).toBeLessThanOrEqual(r.textEvents);
      for (const name of [
        'streamMs',
        'mainThreadMs',
        'scriptMs',
        'styleLayoutMs',
        'metricsWindowMs',
        'updates',
        'renderTotalMs',
        'frameFirstQuarterMs',
        'frameLastQuarterMs',
        'framesDelivered',
        'arrivalToPaintP50',
        'arrivalToPaintP95',
        'lastChunkToPaintMs',
        'doneToPaintMs',
        'blocks',
      ] as const) {
        const figure = r[name];
        expect(Number.isFinite(figure) && figure > 0, `${r.variant.key}: ${name} = ${figure}`).toBe(true);
      }
      expect(r.mainThreadMs).toBeGreaterThanOrEqual(r.scriptMs);
      expect(r.metricsWindowMs).toBeGreaterThanOrEqual(r.streamMs);
      expect(r.renderTotalMs).toBeLessThan(r.mainThreadMs);
      expect(r.updates).toBeLessThanOrEqual(r.textEvents);
      expect(r.arrivalToPaintP95).toBeGreaterThanOrEqual(r.arrivalToPaintP50);
      expect(r.doneToFinalMs).toBeGreaterThanOrEqual(0);
      // Below the page clock's 0.1 ms grain, legitimately: finish() of a tail already in its final form, and
      // the median update of a quarter spent appending to a growing code block.
      for (const quick of [r.finishMs, r.renderFirstQuarterMs, r.renderLastQuarterMs])
        expect(Number.isFinite(quick) && quick >= 0).toBe(true);
      expect(r.longestFrameMs).toBeGreaterThan(0);
    }
    // Both renderers show the same answer (blocks may be wrapped differently: compare the words).
    const words = (s: string) => s.split(/\s+/).filter(Boolean).join(' ');
    expect(words(ours.renderedText)).toBe(words(naive.renderedText));
    expect(ours.renderedText).toContain('GenerationStore');
    // Keys typed into the prompt while it streamed, each timed; the naive page replaced every block at the end.
    expect(ours.keystrokes).toBeGreaterThan(10);
    expect(ours.keyP50Ms).toBeGreaterThan(0);
    expect(naive.keystrokes).toBe(0);
    expect(ours.blocksAtDone).toBeGreaterThan(10);
    expect(ours.blocksReplacedAtEnd).toBeLessThan(ours.blocksAtDone);
    expect(naive.blocksReplacedAtEnd).toBe(naive.blocksAtDone);
    expect(jsGzipBytes).toBeGreaterThan(10_000);
  }, 90_000);
});
