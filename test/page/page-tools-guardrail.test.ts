/**
 * Tool calls and guardrails on the chat page, in real Chromium against the real server (running its own
 * tool, with a guardrail) and emulator: each call shows the tool's name, its arguments as text (model
 * output with markup stays inert) and the result; a guardrail's intervention shows a notice, and text it
 * withdrew is hidden (shown on demand) and left out of the next request. Screenshots at desktop and 360 px, light
 * and dark, go to test-output/screenshots/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { screenshot } from '../support/chromium.js';
import { ask, lastAnswer, startPageHarness, waitForAnswerEnd, type PageHarness } from './page-harness.js';

/** Model output that would run script if it were ever rendered as HTML. */
const HOSTILE_CITY = '<img src=x onerror="window.__pwned=1">Oslo';

let h: PageHarness;
beforeAll(async () => {
  h = await startPageHarness(
    {
      tools: {
        get_weather: {
          description: 'The weather in a city',
          inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          execute: (input: { city: string }) => ({ city: input.city, sky: 'clear', celsius: 24 }),
        },
      },
      guardrail: { id: 'pagegr', version: 'DRAFT' },
    },
    { speed: 4, guardrails: [{ id: 'pagegr', blockedWords: ['forbidden'] }] },
  );
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.emu.scripts.clear();
  h.emu.setSpeed(4);
});

async function storedMessages(page: Page): Promise<{ role: string; content: string }[]> {
  return page.evaluate(
    () => JSON.parse(localStorage.getItem('bedrock-chat:conversation:v1') ?? '{"messages":[]}').messages,
  );
}

describe('the page shows tool calls', () => {
  for (const view of [
    { name: 'desktop-light', width: 1200, colorScheme: 'light' as const },
    { name: 'mobile-dark', width: 360, colorScheme: 'dark' as const },
    { name: 'mobile-light', width: 360, colorScheme: 'light' as const },
    { name: 'desktop-dark', width: 1200, colorScheme: 'dark' as const },
  ]) {
    it(`name, arguments as text, then the result, and the answer (${view.name})`, async () => {
      h.emu.scripts.add({
        match: { prompt: 'weather for the trip' },
        answer: { text: '', toolCalls: [{ name: 'get_weather', input: { city: HOSTILE_CITY } }] },
        times: 1,
      });
      const { page, context, requests, errors } = await h.openPage({
        width: view.width,
        height: 760,
        colorScheme: view.colorScheme,
      });
      await ask(page, 'What is the weather for the trip?');
      expect(await waitForAnswerEnd(page)).toBe('done');
      const answer = lastAnswer(page);
      const call = answer.locator('.tool-call');
      await expect.poll(() => call.count()).toBe(1);
      expect(await call.locator('summary code').textContent()).toBe('get_weather');
      expect(await call.getAttribute('data-status')).toBe('done');
      expect(await call.locator('.tool-status').textContent()).toBe('done');
      // The arguments are the model's JSON, shown as text: the markup inside is characters, not an element.
      const args = await call.locator('.tool-args').textContent();
      expect(JSON.parse(args!)).toEqual({ city: HOSTILE_CITY });
      expect(await answer.locator('.tool-calls img').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(requests.filter((url) => url.endsWith('/x'))).toEqual([]);
      const result = JSON.parse((await call.locator('.tool-result').textContent())!) as unknown;
      expect(result).toEqual({ city: HOSTILE_CITY, sky: 'clear', celsius: 24 });
      expect(await call.locator('.tool-result').getAttribute('aria-label')).toBe('Result of get_weather');
      // The answer after the tool quotes its result.
      expect(await answer.locator('.answer').textContent()).toContain('clear');
      await screenshot(page, `page-tool-call-${view.name}`);
      // A reload restores the call with the conversation.
      await page.reload();
      await page.waitForSelector('li.message.assistant .tool-call');
      expect(await lastAnswer(page).locator('summary code').textContent()).toBe('get_weather');
      expect(errors).toEqual([]);
      await context.close();
    }, 60_000);
  }

  it('shows the arguments while they stream, before the call completes', async () => {
    h.emu.setSpeed(0.2); // slow, so the arguments arrive over several paints
    const city = 'A city with a rather long name, to stream in pieces';
    h.emu.scripts.add({
      match: { prompt: 'slow weather' },
      answer: { text: '', toolCalls: [{ name: 'get_weather', input: { city } }] },
      times: 1,
    });
    const { page, context } = await h.openPage();
    // Every state of the call's block as the page painted it: status and the arguments shown.
    await page.evaluate(() => {
      const seen: { status: string; args: string }[] = [];
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      const tick = () => {
        const block = document.querySelector<HTMLElement>('.tool-call');
        if (block !== null) {
          const status = block.dataset.status ?? '';
          const args = block.querySelector('.tool-args')?.textContent ?? '';
          const last = seen[seen.length - 1];
          if (last?.status !== status || last.args !== args) seen.push({ status, args });
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await ask(page, 'slow weather please');
    expect(await waitForAnswerEnd(page)).toBe('done');
    const seen = await page.evaluate(
      () => (window as unknown as { __seen: { status: string; args: string }[] }).__seen,
    );
    const streaming = seen.filter((state) => state.status === 'streaming');
    expect(streaming.length).toBeGreaterThan(0);
    const whole = JSON.stringify({ city });
    // While streaming, the block showed a strict prefix of the final arguments.
    expect(streaming.every((state) => whole.startsWith(state.args) && state.args.length < whole.length)).toBe(true);
    expect(seen.at(-1)).toEqual({ status: 'done', args: whole });
    await context.close();
  }, 60_000);
});

describe('the page shows guardrail interventions', () => {
  it('blocked input: a notice, the answer kept as it is', async () => {
    const { page, context } = await h.openPage();
    await ask(page, 'Tell me something forbidden.');
    expect(await waitForAnswerEnd(page)).toBe('done');
    const notice = lastAnswer(page).locator('.guardrail-notice');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.locator('.guardrail-text').textContent()).toBe('A guardrail blocked this request.');
    expect(await notice.getAttribute('role')).toBe('note');
    expect(await lastAnswer(page).locator('.answer.withdrawn').count()).toBe(0);
    expect(await notice.getByRole('button').isHidden()).toBe(true);
    // The guardrail's own message is the answer here, shown as it is.
    expect(await lastAnswer(page).locator('.answer').isVisible()).toBe(true);
    await screenshot(page, 'page-guardrail-input');
    await context.close();
  }, 60_000);

  for (const view of [
    { name: 'desktop-light', width: 1200, colorScheme: 'light' as const },
    { name: 'mobile-dark', width: 360, colorScheme: 'dark' as const },
  ]) {
    it(`withdrawn output: hidden behind a notice, shown on demand, left out of the next request (${view.name})`, async () => {
      h.emu.scripts.add({
        match: { prompt: 'the story' },
        answer: { text: 'Once upon a time there was a forbidden door, and more text after it.' },
        times: 1,
      });
      const { page, context } = await h.openPage({ width: view.width, colorScheme: view.colorScheme });
      await ask(page, 'Tell me the story.');
      expect(await waitForAnswerEnd(page)).toBe('done');
      const answer = lastAnswer(page);
      expect(await answer.locator('.answer').getAttribute('class')).toContain('withdrawn');
      expect(await answer.locator('.guardrail-text').textContent()).toBe(
        'A guardrail stopped this answer and withdrew its text.',
      );
      // Withdrawn: not on screen, but kept; the button shows it (struck through) and hides it again.
      expect(await answer.locator('.answer').isVisible()).toBe(false);
      await screenshot(page, `page-guardrail-withdrawn-${view.name}`);
      const toggle = answer.getByRole('button', { name: 'Show withdrawn text' });
      expect(await toggle.getAttribute('aria-expanded')).toBe('false');
      await toggle.click();
      expect(await answer.locator('.answer').isVisible()).toBe(true);
      expect(await answer.locator('.answer').textContent()).toContain('Once upon a time there was a');
      expect(await answer.getByRole('button', { name: 'Hide withdrawn text' }).getAttribute('aria-expanded')).toBe(
        'true',
      );
      await screenshot(page, `page-guardrail-withdrawn-shown-${view.name}`);
      await answer.getByRole('button', { name: 'Hide withdrawn text' }).click();
      expect(await answer.locator('.answer').isVisible()).toBe(false);

      // The next request's history leaves the withdrawn answer out.
      h.emu.requestLog.clear();
      await ask(page, 'And then?');
      expect(await waitForAnswerEnd(page)).toBe('done');
      const sent = h.emu.requestLog.entries().find((entry) => entry.operation.includes('Stream'));
      expect(JSON.stringify(sent?.body ?? '')).not.toContain('Once upon a time');
      expect((await storedMessages(page)).map((message) => message.role)).toEqual([
        'user',
        'assistant',
        'user',
        'assistant',
      ]);
      await context.close();
    }, 60_000);
  }
});
