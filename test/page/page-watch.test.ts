/**
 * Watching together, in real Chromium against the real server and emulator: the owner's Share gives a
 * link; a second browser (its own context: no storage, no key) opens it and sees the same answer live,
 * event for event, with the same terminal state (done, stopped, error with the partial text); it survives
 * its own dropped connection; a finished answer opened later shows whole; a bad token says the link is not
 * valid. Then the same across two `bedrock-inference serve` processes sharing a real Redis.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSse } from '../server/http/sse-parse.js';
import { screenshot } from '../support/chromium.js';
import { startServeProcess } from '../support/serve-process.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import {
  ask,
  buildPage,
  lastAnswer,
  recordedEventStreams,
  recordEventStreams,
  startPageHarness,
  waitForAnswerEnd,
  type PageHarness,
} from './page-harness.js';

const MIXED = readFileSync('test/fixtures/markdown/mixed-answer.md', 'utf8');
const LONG = Array.from(
  { length: 4 },
  (_, i) => `## Part ${i + 1}\n\n${MIXED.split('\n\n').slice(1, 4).join('\n\n')}`,
).join('\n\n');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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
  h.emu.setSpeed(1);
});

/** The text events of an SSE body, as [id, text] pairs. */
function textEvents(body: string): [string | undefined, string][] {
  return parseSse(body)
    .events.filter((event) => event.event === 'text')
    .map((event) => [event.id, (JSON.parse(event.data) as { text: string }).text]);
}

/** The bodies of the event streams the page read so far whose URL matches. */
async function streamBodies(page: Page, match: string): Promise<string[]> {
  return (await recordedEventStreams(page)).filter((stream) => stream.url.includes(match)).map((s) => s.body);
}

/** Clicks Share on the last answer as soon as it is offered and returns the link the page shows. */
async function shareLink(page: Page): Promise<string> {
  const share = lastAnswer(page).locator('button.share');
  await share.waitFor({ state: 'visible' });
  await share.click();
  const input = lastAnswer(page).locator('.share-line input');
  await input.waitFor({ state: 'visible' });
  return input.inputValue();
}

async function answerText(page: Page): Promise<string> {
  return (await lastAnswer(page).locator('.answer').textContent()) ?? '';
}

describe('watching a shared answer', () => {
  it('a share link shows the same answer live in another browser, event for event, and whole once done', async () => {
    h.emu.scripts.add({ match: { prompt: 'share-live' }, answer: { text: LONG } });
    const owner = await h.openPage({ setup: recordEventStreams });
    await ask(owner.page, 'share-live');
    const link = await shareLink(owner.page);
    expect(link).toMatch(/#watch=[^&]+&share=[\w-]+$/);
    await screenshot(owner.page, 'watch-owner-shared');
    // The link carries the share token in the fragment, never an API key.
    expect(link.startsWith(h.url)).toBe(true);

    const watcher = await h.openPage({ url: link, readyWhen: '#watch-messages li.message', setup: recordEventStreams });
    // Live: the watcher is streaming while the owner still is.
    await watcher.page.waitForSelector('#watch-messages li.message[data-phase="streaming"]');
    expect(await lastAnswer(owner.page).getAttribute('data-phase')).toBe('streaming');
    // Read-only: no composer, no Continue or Retry, no Share.
    expect(await watcher.page.locator('#composer').isVisible()).toBe(false);
    await screenshot(watcher.page, 'watch-live');

    expect(await waitForAnswerEnd(owner.page)).toBe('done');
    expect(await waitForAnswerEnd(watcher.page)).toBe('done');
    // Event for event: the same text events with the same ids, and the same DOM at the end.
    const [ownerBody] = await streamBodies(owner.page, '/api/chat');
    const [watcherBody] = await streamBodies(watcher.page, '/events?share=');
    const ownerEvents = textEvents(ownerBody!);
    expect(ownerEvents.length).toBeGreaterThan(20);
    expect(textEvents(watcherBody!)).toEqual(ownerEvents);
    expect(await answerText(watcher.page)).toBe(await answerText(owner.page));
    expect(await lastAnswer(watcher.page).locator('.answer').innerHTML()).toBe(
      await lastAnswer(owner.page).locator('.answer').innerHTML(),
    );
    expect(await lastAnswer(watcher.page).locator('.metrics').textContent()).toMatch(/tok/);
    for (const hidden of ['button.share', 'button:text("Continue")', 'button:text("Retry")'])
      expect(await lastAnswer(watcher.page).locator(hidden).isVisible()).toBe(false);
    await screenshot(watcher.page, 'watch-done');

    // Opened after it finished: the whole answer at once.
    const late = await h.openPage({ url: link, readyWhen: '#watch-messages li.message[data-phase="done"]' });
    expect(await answerText(late.page)).toBe(await answerText(owner.page));
    for (const opened of [owner, watcher, late]) {
      expect(opened.errors).toEqual([]);
      await opened.context.close();
    }
  }, 90_000);

  it('shows the owner stopping it, and an error with the partial text, as the owner sees them', async () => {
    h.emu.scripts.add({ match: { prompt: 'share-stop' }, answer: { text: LONG } });
    const owner = await h.openPage();
    await ask(owner.page, 'share-stop');
    const watcher = await h.openPage({
      url: await shareLink(owner.page),
      readyWhen: '#watch-messages li.message',
      setup: recordEventStreams,
    });
    await watcher.page.waitForSelector('#watch-messages li.message[data-phase="streaming"]');
    await owner.page.locator('#stop').click();
    expect(await waitForAnswerEnd(owner.page)).toBe('stopped');
    expect(await waitForAnswerEnd(watcher.page)).toBe('stopped');
    // The owner's page stops taking text the moment Stop is pressed; words already on their way from the
    // model still reach the watcher before the server's cancel lands, so the owner's text (as the page kept
    // it) is where the watcher's (as its browser client received it) begins.
    const ownerKept = await owner.page.evaluate(
      () => JSON.parse(localStorage.getItem('bedrock-chat:conversation:v1')!).messages.at(-1).content as string,
    );
    const [watcherBody] = await streamBodies(watcher.page, '/events?share=');
    const watched = textEvents(watcherBody!)
      .map(([, text]) => text)
      .join('');
    expect(ownerKept.length).toBeGreaterThan(0);
    expect(watched.startsWith(ownerKept)).toBe(true);
    expect(watched.length).toBeLessThan(LONG.length);
    await watcher.context.close();

    // A fault cuts the stream after some text: both show the error and keep the same partial answer.
    h.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 25 },
    });
    await owner.page.locator('#new-chat').click();
    await ask(owner.page, 'share-stop');
    const second = await h.openPage({ url: await shareLink(owner.page), readyWhen: '#watch-messages li.message' });
    expect(await waitForAnswerEnd(owner.page)).toBe('error');
    expect(await waitForAnswerEnd(second.page)).toBe('error');
    const partial = await answerText(second.page);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial).toBe(await answerText(owner.page));
    expect(await lastAnswer(second.page).locator('.status').textContent()).toMatch(/interrupted/);
    await screenshot(second.page, 'watch-error');
    await second.context.close();
    await owner.context.close();
  }, 90_000);

  it("survives its own dropped connection: re-attaches and ends with the owner's answer", async () => {
    h.emu.scripts.add({ match: { prompt: 'share-drop' }, answer: { text: LONG } });
    const proxy = await startTcpProxy(Number(new URL(h.url).port));
    try {
      const owner = await h.openPage();
      await ask(owner.page, 'share-drop');
      const link = new URL(await shareLink(owner.page));
      const watcher = await h.openPage({
        url: `${proxy.url}/${link.hash}`,
        readyWhen: '#watch-messages li.message[data-phase="streaming"]',
      });
      expect(proxy.dropAll()).toBeGreaterThan(0);
      expect(await waitForAnswerEnd(owner.page)).toBe('done');
      expect(await waitForAnswerEnd(watcher.page)).toBe('done');
      expect(await answerText(watcher.page)).toBe(await answerText(owner.page));
      await watcher.context.close();
      await owner.context.close();
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('an invalid or foreign token says the link is not valid (with a way on), not a blank page', async () => {
    h.emu.scripts.add({ match: { prompt: 'share-bad' }, answer: { text: 'A short answer.' } });
    const owner = await h.openPage();
    await ask(owner.page, 'share-bad');
    const link = new URL(await shareLink(owner.page));
    await waitForAnswerEnd(owner.page);
    const id = new URLSearchParams(link.hash.slice(1)).get('watch')!;
    const token = new URLSearchParams(link.hash.slice(1)).get('share')!;
    const otherAnswer = await h.openPage();
    await ask(otherAnswer.page, 'share-bad');
    const foreign = new URLSearchParams(new URL(await shareLink(otherAnswer.page)).hash.slice(1)).get('share')!;
    for (const [name, hash] of [
      ['forged', `#watch=${id}&share=${'A'.repeat(token.length)}`],
      ['foreign', `#watch=${id}&share=${foreign}`],
      ['unknown id', `#watch=no-such-generation&share=${token}`],
      ['no token', `#watch=${id}`],
    ] as const) {
      const watcher = await h.openPage({ url: `${h.url}/${hash}`, readyWhen: '#watch-invalid:not([hidden])' });
      expect(await watcher.page.locator('#watch-invalid h3').textContent(), name).toBe('This link is not valid');
      expect(await watcher.page.locator('#watch-messages li').count()).toBe(0);
      if (name === 'forged') await screenshot(watcher.page, 'watch-invalid-link');
      await watcher.context.close();
    }
    await owner.context.close();
    await otherAnswer.context.close();
  }, 90_000);
});

describe('watching with API keys on', () => {
  it('the link carries the share token, never the key, and the watcher needs no key', async () => {
    const keyed = await startPageHarness({ apiKeys: ['owner-key-1'] });
    try {
      const owner = await keyed.openPage({ readyWhen: '#key-dialog[open]' });
      await owner.page.locator('#key-input').fill('owner-key-1');
      await owner.page.locator('#key-input').press('Enter');
      await owner.page.waitForSelector('#model option', { state: 'attached' });
      await ask(owner.page, 'Hello with a key');
      const link = await shareLink(owner.page);
      expect(link).not.toContain('owner-key-1');
      expect(await waitForAnswerEnd(owner.page)).toBe('done');

      // A new browser with no key at all: no key dialog, the answer shows.
      const watcher = await keyed.openPage({ url: link, readyWhen: '#watch-messages li.message[data-phase="done"]' });
      expect(await answerText(watcher.page)).toBe(await answerText(owner.page));
      expect(await watcher.page.locator('#key-dialog').evaluate((dialog) => (dialog as HTMLDialogElement).open)).toBe(
        false,
      );
      expect(watcher.requests.some((url) => url.includes('owner-key-1'))).toBe(false);
      await watcher.context.close();
      await owner.context.close();
    } finally {
      await keyed.close();
    }
  }, 90_000);
});

/** `bedrock-inference serve` in its own process, on its embedded emulator. */
function serve(args: string[]) {
  const run = startServeProcess(['--backend', 'emulator', ...args]);
  return {
    url: run.url,
    stop: async () => {
      run.stop();
      await run.exited;
    },
  };
}

describe('watching across two server processes sharing Redis', () => {
  it('the owner on one `serve` shares; the watcher, on another `serve` over the same Redis, sees the answer', async () => {
    const pageDir = buildPage();
    const common = [
      '--redis-url',
      REDIS_URL,
      '--redis-key-prefix',
      `page-watch-${randomUUID()}:`,
      '--share-secret',
      'the-same-secret-on-every-server',
      '--page-dir',
      pageDir,
    ];
    const first = serve(common);
    const second = serve(common);
    try {
      const [ownerUrl, watcherUrl] = await Promise.all([first.url, second.url]);
      expect(ownerUrl).not.toBe(watcherUrl);
      const owner = await h.openPage({ url: ownerUrl });
      await ask(owner.page, 'Tell me about rivers in three paragraphs.');
      const link = new URL(await shareLink(owner.page));
      const watcher = await h.openPage({
        url: `${watcherUrl}/${link.hash}`,
        readyWhen: '#watch-messages li.message',
      });
      expect(await waitForAnswerEnd(owner.page)).toBe('done');
      expect(await waitForAnswerEnd(watcher.page)).toBe('done');
      const text = await answerText(owner.page);
      expect(text.length).toBeGreaterThan(0);
      expect(await answerText(watcher.page)).toBe(text);
      // Served by the second process: the watcher's requests never went to the first.
      expect(watcher.requests.every((url) => url.startsWith(watcherUrl))).toBe(true);
      await watcher.context.close();
      await owner.context.close();
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      rmSync(pageDir, { recursive: true, force: true });
    }
  }, 120_000);
});
