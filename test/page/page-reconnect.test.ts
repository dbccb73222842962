/**
 * The page when the network or the tab misbehaves: a connection cut mid-answer (a TCP proxy between
 * Chromium and the server drops every socket) resumes with no lost or doubled text, and a reload
 * mid-answer re-attaches to the generation still running on the server.
 */
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { screenshot } from '../support/chromium.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { ask, lastAnswer, startPageHarness, waitForAnswerEnd, type PageHarness } from './page-harness.js';

const MIXED = readFileSync('test/fixtures/markdown/mixed-answer.md', 'utf8');
const LONG = Array.from(
  { length: 6 },
  (_, i) => `## Part ${i + 1}\n\n${MIXED.split('\n\n').slice(1, 4).join('\n\n')}`,
).join('\n\n');

let h: PageHarness;
let proxy: TcpProxy;
beforeAll(async () => {
  h = await startPageHarness();
  proxy = await startTcpProxy(Number(new URL(h.url).port));
});
afterAll(async () => {
  await proxy?.close();
  await h?.close();
});
beforeEach(() => {
  h.emu.scripts.clear();
  h.emu.faults.clear();
  h.emu.requestLog.clear();
  h.emu.setSpeed(1);
});

async function storedLast(page: Page): Promise<{ content: string; status?: string }> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('bedrock-chat:conversation:v1')!).messages.at(-1));
}

async function waitForText(page: Page, length: number): Promise<void> {
  await page.waitForFunction(
    (min) => ([...document.querySelectorAll('li.message.assistant .answer')].at(-1)?.textContent?.length ?? 0) > min,
    length,
    { timeout: 30_000 },
  );
}

describe('the chat page on a bad network', () => {
  it('a connection dropped mid-answer reconnects and carries on with no lost or doubled text', async () => {
    h.emu.scripts.add({ match: { prompt: 'drop-test' }, answer: { text: LONG } });
    const { page } = await h.openPage({ url: proxy.url });
    await ask(page, 'drop-test');
    await waitForText(page, 200);
    expect(proxy.dropAll()).toBeGreaterThan(0);
    // The browser client re-attaches with Last-Event-ID; the page says so while it does.
    expect(await waitForAnswerEnd(page)).toBe('done');
    const stored = await storedLast(page);
    expect(stored.content).toBe(LONG);
    expect(stored.status).toBe('done');
    // One upstream generation only: the reconnect re-attached instead of asking again.
    expect(h.emu.requestLog.entries().filter((e) => e.operation.includes('Stream'))).toHaveLength(1);
    await screenshot(page, 'page-after-reconnect');
  });

  it('a reload mid-answer re-attaches to the running generation and shows the whole answer', async () => {
    h.emu.scripts.add({ match: { prompt: 'reload-test' }, answer: { text: LONG } });
    const { page } = await h.openPage();
    await ask(page, 'reload-test');
    await waitForText(page, 200);
    await page.reload();
    await page.waitForSelector('li.message.assistant');
    expect(await waitForAnswerEnd(page)).toBe('done');
    const stored = await storedLast(page);
    expect(stored.content).toBe(LONG);
    expect(h.emu.requestLog.entries().filter((e) => e.operation.includes('Stream'))).toHaveLength(1);
    expect(await lastAnswer(page).locator('.answer h2', { hasText: 'Part' }).count()).toBe(6);
    await screenshot(page, 'page-after-reload');
  });
});
