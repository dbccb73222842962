/**
 * The page as people use it: auto-scroll that follows and lets go, keyboard only, a 360 px phone in
 * light and dark, errors by type (throttling with its countdown, a refused request saying what to
 * fix), and API keys kept out of localStorage. Screenshots of each state go to test-output/.
 */
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { screenshot } from '../support/chromium.js';
import { ask, lastAnswer, startPageHarness, waitForAnswerEnd, type PageHarness } from './page-harness.js';

const MIXED = readFileSync('test/fixtures/markdown/mixed-answer.md', 'utf8');
const TALL = Array.from({ length: 12 }, (_, i) => `### Section ${i + 1}\n\n${MIXED.split('\n\n')[1]}`).join('\n\n');

let h: PageHarness;
beforeAll(async () => {
  h = await startPageHarness({ limits: { maxOutputTokens: 4000 } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.emu.scripts.clear();
  h.emu.faults.clear();
  h.emu.requestLog.clear();
  h.emu.setSpeed(1);
});

const scrollState = (page: Page) =>
  page.evaluate(() => {
    const scroller = document.getElementById('conversation')!;
    return {
      fromBottom: scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop,
      top: scroller.scrollTop,
      jumpVisible: !document.getElementById('jump')!.hidden,
    };
  });

describe('using the chat page', () => {
  it('auto-scroll follows new text, lets go when the reader scrolls up, and "jump to latest" returns', async () => {
    h.emu.scripts.add({ match: { prompt: 'scroll-test' }, answer: { text: TALL } });
    const { page } = await h.openPage({ width: 900, height: 600 });
    await ask(page, 'scroll-test');
    await page.waitForFunction(
      () => {
        const s = document.getElementById('conversation')!;
        return s.scrollHeight > s.clientHeight * 1.5;
      },
      undefined,
      { timeout: 30_000 },
    );
    expect((await scrollState(page)).fromBottom).toBeLessThan(40);
    // The reader scrolls up with the wheel: following stops, the button appears, the view stays put.
    await page.mouse.move(450, 300);
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(100);
    const released = await scrollState(page);
    await page.waitForTimeout(600);
    const later = await scrollState(page);
    expect(later.top).toBeLessThanOrEqual(released.top + 1);
    expect(later.jumpVisible).toBe(true);
    await screenshot(page, 'page-scrolled-up');
    await page.locator('#jump').click();
    await page.waitForTimeout(300);
    expect((await scrollState(page)).fromBottom).toBeLessThan(40);
    expect(await waitForAnswerEnd(page)).toBe('done');
    expect((await scrollState(page)).fromBottom).toBeLessThan(40);
    expect((await scrollState(page)).jumpVisible).toBe(false);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`works by keyboard alone on a 360 px phone (${colorScheme})`, async () => {
      h.emu.scripts.add({ match: { prompt: 'phone-test' }, answer: { text: MIXED } });
      const { page } = await h.openPage({ width: 360, height: 740, colorScheme });
      // Tab from the top reaches the prompt; Enter sends it.
      await page.locator('body').focus();
      let focused = '';
      for (let i = 0; i < 12 && focused !== 'prompt'; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.id ?? '');
        if (focused === '' && (await page.evaluate(() => document.activeElement?.className)) === 'skip-link') {
          await page.keyboard.press('Enter');
          focused = await page.evaluate(() => document.activeElement?.id ?? '');
        }
      }
      expect(focused).toBe('prompt');
      await page.keyboard.type('phone-test: multi');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('line prompt');
      expect(await page.locator('#prompt').inputValue()).toBe('phone-test: multi\nline prompt');
      await page.keyboard.press('Enter');
      expect(await waitForAnswerEnd(page)).toBe('done');
      // Nothing overflows sideways, and the prompt box is on screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      const box = await page.locator('#prompt').boundingBox();
      expect(box!.y + box!.height).toBeLessThanOrEqual(740);
      expect(await page.locator('li.message.user .user-text').textContent()).toBe('phone-test: multi\nline prompt');
      await screenshot(page, `page-phone-${colorScheme}`);
      const desktop = await h.openPage({ colorScheme });
      await desktop.page.locator('#settings-toggle').click();
      await screenshot(desktop.page, `page-desktop-settings-${colorScheme}`);
    });
  }

  it('throttling shows "retrying in N s" while the server retries, then the answer', async () => {
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 2 }, times: 1 });
    const { page } = await h.openPage();
    await ask(page, 'Hello after a throttle');
    await page.waitForFunction(
      () => /retrying in \d+ s/i.test(document.querySelector('li.message.assistant .status')?.textContent ?? ''),
      undefined,
      { timeout: 20_000 },
    );
    await screenshot(page, 'page-throttled');
    expect(await waitForAnswerEnd(page)).toBe('done');
  });

  it('an account quota that is used up is not called throttling: it says retrying will not help', async () => {
    h.emu.faults.add({ fault: { kind: 'error', errorType: 'ServiceQuotaExceededException' }, times: 1 });
    const { page } = await h.openPage();
    await ask(page, 'Hello over quota');
    expect(await waitForAnswerEnd(page)).toBe('error');
    const status = (await lastAnswer(page).locator('.status').textContent()) ?? '';
    expect(status).toMatch(/quota of this account is used up/);
    expect(status).toMatch(/will not help/);
    expect(status).not.toMatch(/throttling/i);
    // No answer text: nothing to copy, but Retry stays.
    expect(await lastAnswer(page).getByRole('button', { name: 'Copy answer' }).isHidden()).toBe(true);
    expect(await lastAnswer(page).getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    await screenshot(page, 'page-quota-exceeded');
  });

  it('a stream gone silent ends after 90 s with a message, stops upstream and keeps the partial answer', async () => {
    h.emu.faults.add({ fault: { kind: 'stall', afterChunks: 4, ms: 600_000 }, times: 1 });
    // The page's own clock is fake (time still flows), so its 90 s watchdog can be reached at once.
    const { page } = await h.openPage({ setup: (p) => p.clock.install() });
    await ask(page, 'Hello into the silence');
    await page.waitForFunction(
      () => (document.querySelector('li.message.assistant .answer')?.textContent ?? '') !== '',
    );
    await page.waitForTimeout(300);
    const partial = (await lastAnswer(page).locator('.answer').textContent()) ?? '';
    expect(await lastAnswer(page).getAttribute('data-phase')).not.toBe('error');
    await page.clock.fastForward(91_000);
    expect(await waitForAnswerEnd(page)).toBe('error');
    expect(await lastAnswer(page).locator('.status').textContent()).toMatch(/No answer for 90 s/);
    expect(await lastAnswer(page).locator('.answer').textContent()).toBe(partial);
    expect(await page.locator('.typing').isVisible()).toBe(false);
    const closed = await h.emu.requestLog.waitFor((entry) => entry.outcome === 'client-aborted', 10_000);
    expect(closed.fault).toBe('stall');
    await screenshot(page, 'page-silence-timeout');
  });

  it('a refused request says what to fix, and a new message still works', async () => {
    const { page } = await h.openPage();
    await page.locator('#settings-toggle').click();
    await page.locator('#max-tokens').fill('9000');
    await page.locator('#max-tokens').press('Tab');
    await ask(page, 'Too many tokens');
    expect(await waitForAnswerEnd(page)).toBe('error');
    const status = await lastAnswer(page).locator('.status').textContent();
    expect(status).toMatch(/maxTokens/);
    expect(await page.locator('#alerts').textContent()).toMatch(/maxTokens/);
    await screenshot(page, 'page-validation-error');
    await page.locator('#max-tokens').fill('300');
    await page.locator('#max-tokens').press('Tab');
    await ask(page, 'Now fine');
    expect(await waitForAnswerEnd(page)).toBe('done');
  });
});

describe('the chat page with API keys', () => {
  let keyed: PageHarness;
  beforeAll(async () => {
    keyed = await startPageHarness({ apiKeys: ['page-key-1'] });
  });
  afterAll(async () => {
    await keyed?.close();
  });

  it('asks for the key, keeps it out of localStorage, and streams with it', async () => {
    const context = await keyed.browser.newContext();
    const page = await context.newPage();
    await page.goto(keyed.url);
    await page.waitForSelector('#key-dialog[open]');
    await page.locator('#key-input').fill('wrong-key');
    await page.locator('#key-input').press('Enter');
    await page.waitForFunction(() => /not accepted/.test(document.getElementById('key-error')?.textContent ?? ''));
    await screenshot(page, 'page-api-key');
    await page.locator('#key-input').fill('page-key-1');
    await page.locator('#key-input').press('Enter');
    await page.waitForSelector('#model option', { state: 'attached' });
    await ask(page, 'Hello with a key');
    expect(await waitForAnswerEnd(page)).toBe('done');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).not.toContain('page-key-1');
    await context.close();
  });
});
