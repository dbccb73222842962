/**
 * The page bench's measuring code, run briefly as a smoke test: it drives the real page and returns
 * every figure. No timing is asserted here (speed targets live in `npm run bench`); only that each
 * figure was measured and the page showed exactly the streamed answer.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPage } from '../../bench/page/page-run.js';
import { startPageHarness, type PageHarness } from '../page/page-harness.js';

const TEXT = readFileSync('test/fixtures/markdown/long-answer.md', 'utf8').slice(0, 4_000);

let h: PageHarness;
beforeAll(async () => {
  h = await startPageHarness({}, { speed: 8 });
  h.emu.scripts.add({ match: { prompt: 'bench-smoke' }, answer: { text: TEXT } });
});
afterAll(async () => {
  await h?.close();
});

describe('the page bench', () => {
  it('measures a streamed answer in the real page', async () => {
    const result = await runPage(h.browser, {
      url: h.url,
      prompt: 'bench-smoke',
      smooth: false,
      cpuThrottle: 1,
      maxTokens: 3_000,
      typeWhileStreaming: true,
    });
    expect(result.finalText).toBe(TEXT);
    expect(result.chunksRead).toBeGreaterThan(10);
    expect(result.streamMs).toBeGreaterThan(0);
    expect(result.mainThreadMs).toBeGreaterThan(0);
    expect(result.updates).toBeGreaterThan(3);
    expect(result.framesDelivered).toBeGreaterThan(0);
    expect(Number.isFinite(result.lastChunkToPaintMs)).toBe(true);
    expect(Number.isFinite(result.doneToFinalMs)).toBe(true);
    expect(result.keystrokes).toBeGreaterThan(0);
  }, 60_000);
});
