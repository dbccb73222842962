/**
 * The compare view in real Chromium against the real server and emulator: three models of different
 * families stream side by side; the chart is drawn from exactly the chunks the browser client received
 * (one dot per text event, in order, with its size) and the table's figures are the shared module's over
 * those chunks; a model that fails shows its error while the others finish; Stop closes every upstream
 * request (the emulator's request log).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { streamCharacteristics, type ChunkArrival } from '../../src/browser/stream-characteristics.js';
import { parseSse } from '../server/http/sse-parse.js';
import { screenshot } from '../support/chromium.js';
import { recordedEventStreams, recordEventStreams, startPageHarness, type PageHarness } from './page-harness.js';

const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';
const LLAMA = 'meta.llama3-8b-instruct-v1:0';
const NOVA = 'us.amazon.nova-lite-v1:0';
const MODELS = [CLAUDE, LLAMA, NOVA];

let h: PageHarness;
beforeAll(async () => {
  h = await startPageHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.emu.faults.clear();
  h.emu.requestLog.clear();
  h.emu.setSpeed(4);
});

/** Per model: the text of each `text` event the browser client received for it, in order. */
async function receivedChunks(page: Page): Promise<Map<string, string[]>> {
  const streams = await recordedEventStreams(page);
  const byModel = new Map<string, string[]>();
  for (const stream of streams) {
    const model = (JSON.parse(stream.request) as { model: string }).model;
    byModel.set(
      model,
      parseSse(stream.body)
        .events.filter((event) => event.event === 'text')
        .map((event) => (JSON.parse(event.data) as { text: string }).text),
    );
  }
  return byModel;
}

/** Per model: the chart's dots, in order, as the chunks they were drawn from. */
async function chartDots(page: Page): Promise<Map<string, ChunkArrival[]>> {
  const series = await page.$$eval('#chart svg g[data-series]', (groups) =>
    groups.map((group) => ({
      model: group.getAttribute('data-series')!,
      dots: [...group.querySelectorAll('circle.chunk')].map((dot) => ({
        atMs: Number(dot.getAttribute('data-at-ms')),
        chars: Number(dot.getAttribute('data-chars')),
      })),
    })),
  );
  return new Map(series.map((s) => [s.model, s.dots]));
}

async function openCompare(width = 1280, colorScheme: 'light' | 'dark' = 'light') {
  const opened = await h.openPage({
    url: `${h.url}/#compare`,
    width,
    height: 900,
    colorScheme,
    readyWhen: '#compare-model-3 option[value]:not([value=""])',
    setup: recordEventStreams,
  });
  for (const [index, model] of MODELS.entries()) await opened.page.selectOption(`#compare-model-${index + 1}`, model);
  await opened.page.selectOption('#compare-model-4', '');
  return opened;
}

async function lanePhases(page: Page): Promise<string[]> {
  return page.$$eval('#lanes li.lane', (lanes) => lanes.map((lane) => (lane as HTMLElement).dataset.phase ?? ''));
}

async function waitForLanesEnd(page: Page): Promise<string[]> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll<HTMLElement>('#lanes li.lane')].every((lane) =>
        ['done', 'stopped', 'error'].includes(lane.dataset.phase ?? ''),
      ),
    undefined,
    { timeout: 60_000 },
  );
  // The final redraw follows the last lane's end in the same task; wait for the Compare button as its sign.
  await page.waitForSelector('#compare-run:not([hidden])');
  return lanePhases(page);
}

describe('comparing models', () => {
  it('streams three families side by side and charts exactly the chunks the browser client received', async () => {
    const { page, context, errors } = await openCompare();
    await page.locator('#compare-prompt').fill('Explain how rivers shape valleys.');
    await page.locator('#compare-prompt').press('Enter');
    // Together: every lane is streaming at some moment while the others have not finished.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLElement>('#lanes li.lane')].filter(
          (lane) => lane.dataset.phase === 'streaming',
        ).length >= 2,
    );
    expect(await waitForLanesEnd(page)).toEqual(['done', 'done', 'done']);

    const received = await receivedChunks(page);
    const dots = await chartDots(page);
    expect([...dots.keys()]).toEqual(MODELS);
    for (const model of MODELS) {
      const chunks = received.get(model)!;
      const drawn = dots.get(model)!;
      expect(chunks.length).toBeGreaterThan(3);
      // One dot per text event, in order, each as long as its chunk, at non-decreasing times.
      expect(drawn.map((dot) => dot.chars)).toEqual(chunks.map((chunk) => chunk.length));
      for (let i = 1; i < drawn.length; i += 1) expect(drawn[i]!.atMs).toBeGreaterThanOrEqual(drawn[i - 1]!.atMs);
      // The table's figures are the shared module's over the drawn chunks.
      const figures = streamCharacteristics(drawn);
      const row = await page.$$eval(`#compare-stats tr[data-model="${model}"] td`, (cells) =>
        cells.map((cell) => cell.textContent ?? ''),
      );
      expect(row[0]).toBe(`${Math.round(figures.timeToFirstTokenMs!)} ms`);
      expect(row[1]).toBe(String(figures.chunkCount));
      const num = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
      expect(row[2]).toBe(`${num(figures.chunkChars!.median)} / ${num(figures.chunkChars!.p95)}`);
      expect(row[3]).toBe(`${num(figures.gapMs!.median)} / ${num(figures.gapMs!.p95)}`);
    }
    // Families stream differently, and the figures show it: Claude's chunks are larger than Llama's.
    const median = (model: string) => streamCharacteristics(dots.get(model)!).chunkChars!.median;
    expect(median(CLAUDE)).toBeGreaterThan(median(LLAMA));
    await screenshot(page, 'compare-desktop');
    await page.locator('#compare-chart').scrollIntoViewIfNeeded();
    await screenshot(page, 'compare-chart');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('one model failing shows its error with its partial text; the others finish', async () => {
    h.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 6 },
      match: { modelId: LLAMA },
    });
    const { page, context } = await openCompare(390, 'dark');
    await page.locator('#compare-prompt').fill('Explain how rivers shape valleys.');
    await page.locator('#compare-run').click();
    expect(await waitForLanesEnd(page)).toEqual(['done', 'error', 'done']);
    const failed = page.locator('#lanes li.lane').nth(1);
    expect((await failed.locator('.answer').textContent())!.length).toBeGreaterThan(0);
    expect(await failed.locator('.status').textContent()).toMatch(/interrupted/);
    // Its chunks up to the failure are still charted.
    expect((await chartDots(page)).get(LLAMA)!.length).toBe((await receivedChunks(page)).get(LLAMA)!.length);
    await screenshot(page, 'compare-phone-dark');
    await context.close();
  }, 90_000);

  it('Stop stops every lane and closes every upstream request', async () => {
    h.emu.setSpeed(0.5);
    const { page, context } = await openCompare();
    await page.evaluate(() => {
      const maxTokens = document.getElementById('max-tokens') as HTMLInputElement;
      maxTokens.value = '2000';
      maxTokens.dispatchEvent(new Event('change'));
    });
    await page.locator('#compare-prompt').fill('Write a long essay about rivers.');
    await page.locator('#compare-run').click();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLElement>('#lanes li.lane .answer')].every(
          (answer) => (answer.textContent ?? '').length > 20,
        ),
      undefined,
      { timeout: 30_000 },
    );
    await page.locator('#compare-stop').click();
    expect(await waitForLanesEnd(page)).toEqual(['stopped', 'stopped', 'stopped']);
    for (const model of MODELS) {
      const entry = await h.emu.requestLog.waitFor(
        (logged) => logged.modelId === model && logged.outcome === 'client-aborted',
        10_000,
      );
      expect(entry.chunksSent).toBeGreaterThan(0);
    }
    expect(h.emu.requestLog.entries().filter((entry) => entry.outcome === 'pending')).toEqual([]);
    await context.close();
  }, 90_000);

  it('asks for two to four different models', async () => {
    const { page, context } = await openCompare();
    await page.selectOption('#compare-model-2', '');
    await page.selectOption('#compare-model-3', '');
    await page.locator('#compare-prompt').fill('Hello');
    await page.locator('#compare-run').click();
    expect(await page.locator('#compare-problem').textContent()).toBe('Choose at least 2 models to compare.');
    await page.selectOption('#compare-model-2', CLAUDE);
    await page.locator('#compare-run').click();
    expect(await page.locator('#compare-problem').textContent()).toBe(
      'Each model can be chosen once: pick different models.',
    );
    expect(await page.locator('#lanes li').count()).toBe(0);
    await context.close();
  }, 60_000);
});
