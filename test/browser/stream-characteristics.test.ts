/**
 * The figures the compare view charts and `bedrock-inference compare` prints: worked examples, and
 * properties over generated chunk arrivals (fast-check) that any correct summary must satisfy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunkGaps,
  ChunkRecorder,
  cumulativeOutput,
  streamCharacteristics,
  type ChunkArrival,
} from '../../src/browser/stream-characteristics.js';

const arrivals = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 2_000 }), chars: fc.integer({ min: 1, max: 400 }) }), {
    minLength: 1,
    maxLength: 200,
  })
  .chain((steps) =>
    fc.integer({ min: 0, max: 5_000 }).map((firstMs) => {
      let at = firstMs;
      return steps.map(({ gap, chars }, index): ChunkArrival => {
        if (index > 0) at += gap;
        return { atMs: at, chars };
      });
    }),
  );

describe('streamCharacteristics', () => {
  it('summarises a known stream', () => {
    const chunks = [
      { atMs: 300, chars: 10 },
      { atMs: 350, chars: 30 },
      { atMs: 400, chars: 20 },
      { atMs: 1300, chars: 40 },
    ];
    const c = streamCharacteristics(chunks, 25);
    expect(c.timeToFirstTokenMs).toBe(300);
    expect(c.chunkCount).toBe(4);
    expect(c.chunkChars).toEqual({ median: 25, p95: 40 });
    expect(chunkGaps(chunks)).toEqual([50, 50, 900]);
    expect(c.gapMs).toEqual({ median: 50, p95: 900 });
    expect(c.tokensPerSecond).toBe(25); // 25 tokens over the second from the first chunk to the last
    expect(c.durationMs).toBe(1300);
    expect(cumulativeOutput(chunks, 25).map((p) => p.tokens)).toEqual([2.5, 10, 15, 25]);
  });

  it('has no figures it cannot know: nothing arrived, or one chunk', () => {
    expect(streamCharacteristics([])).toEqual({
      timeToFirstTokenMs: null,
      chunkCount: 0,
      chunkChars: null,
      gapMs: null,
      outputTokens: 0,
      tokensPerSecond: null,
      durationMs: 0,
    });
    const one = streamCharacteristics([{ atMs: 120, chars: 8 }]);
    expect(one.gapMs).toBeNull();
    expect(one.tokensPerSecond).toBeNull();
    expect(one.outputTokens).toBe(2); // estimated from characters without the model's count
  });

  it('property: medians and p95s lie within the observed range, p95 >= median, counts add up', () => {
    fc.assert(
      fc.property(arrivals, fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }), (chunks, tokens) => {
        const c = streamCharacteristics(chunks, tokens);
        const sizes = chunks.map((chunk) => chunk.chars);
        expect(c.chunkCount).toBe(chunks.length);
        expect(c.timeToFirstTokenMs).toBe(chunks[0]!.atMs);
        expect(c.chunkChars!.median).toBeGreaterThanOrEqual(Math.min(...sizes));
        expect(c.chunkChars!.p95).toBeLessThanOrEqual(Math.max(...sizes));
        expect(c.chunkChars!.p95).toBeGreaterThanOrEqual(c.chunkChars!.median);
        if (c.gapMs !== null) expect(c.gapMs.p95).toBeGreaterThanOrEqual(c.gapMs.median);
        // The cumulative output ends at the total and never goes down.
        const points = cumulativeOutput(chunks, tokens);
        expect(points.at(-1)!.tokens).toBeCloseTo(c.outputTokens, 6);
        for (let i = 1; i < points.length; i += 1) expect(points[i]!.tokens).toBeGreaterThan(points[i - 1]!.tokens);
      }),
      { seed: 20261204, numRuns: 300 },
    );
  });
});

describe('ChunkRecorder', () => {
  it('records each non-empty chunk against a clock started when it was made', () => {
    let now = 1_000;
    const recorder = new ChunkRecorder(() => now);
    now = 1_250;
    recorder.text('Hello');
    recorder.text('');
    now = 1_300;
    recorder.text(' world');
    expect(recorder.chunks).toEqual([
      { atMs: 250, chars: 5 },
      { atMs: 300, chars: 6 },
    ]);
  });
});
