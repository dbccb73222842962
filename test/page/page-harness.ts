/**
 * The chat page against the real server and emulator, in real Chromium: an emulator (scripted answers
 * and faults per test), the server serving the page as built by scripts/build-web.mjs (into a temporary
 * folder per test file, so tests never depend on a stale dist/), and a browser. Every request the page makes is recorded, so tests can assert that model
 * output never made the browser fetch anything.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { BedrockStreamingClient } from '../../src/index.js';
import type { CreateServerOptions } from '../../src/server/index.js';
import { startHarness, type Harness } from '../server/http/server-harness.js';
import { launchChromium } from '../support/chromium.js';

export interface PageHarness extends Harness {
  browser: Browser;
  /** A fresh browser context (its own storage) with the page open on the server. */
  openPage(options?: OpenPageOptions): Promise<OpenedPage>;
}

export interface OpenPageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** Where to open the page (default: the server's URL). */
  url?: string;
  /** Runs before the page is opened (e.g. `page.addInitScript`). */
  setup?: (page: Page) => Promise<void>;
  /** What shows that the page is ready (default: the chat's model list, `#model option`); null waits for nothing. */
  readyWhen?: string | null;
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
}

export async function startPageHarness(
  serverOptions: CreateServerOptions = {},
  emulatorOptions: EmulatorOptions = { speed: 4 },
): Promise<PageHarness> {
  const pageDir = buildPage();
  const emu: Emulator = await startEmulator({ port: 0, ...emulatorOptions });
  // Retries wait as they would in production, so the page can show them ("retrying in N s").
  const client = new BedrockStreamingClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    retry: { baseDelayMs: 1000, maxDelayMs: 2000 },
  });
  const harness = await startHarness({ page: { dir: pageDir }, client, ...serverOptions }, emu);
  const browser = await launchChromium();
  return {
    ...harness,
    browser,
    async openPage(options = {}) {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1200, height: options.height ?? 800 },
        colorScheme: options.colorScheme ?? 'light',
      });
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await options.setup?.(page);
      await page.goto(options.url ?? harness.url);
      const ready = options.readyWhen === undefined ? '#model option' : options.readyWhen;
      if (ready !== null) await page.waitForSelector(ready, { state: 'attached' });
      return { page, context, requests, errors };
    },
    async close() {
      await browser.close();
      await harness.close();
      await emu.close();
      rmSync(pageDir, { recursive: true, force: true });
    },
  };
}

/** Builds the page with the project's own build script into a fresh temporary folder. */
export function buildPage(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bedrock-page-'));
  execFileSync(process.execPath, ['scripts/build-web.mjs', '--outdir', dir], { stdio: 'inherit' });
  return dir;
}

/** Types a prompt and sends it with Enter, as a user would. */
export async function ask(page: Page, prompt: string): Promise<void> {
  await page.locator('#prompt').fill(prompt);
  await page.locator('#prompt').press('Enter');
}

/** The last assistant answer's element. */
export function lastAnswer(page: Page) {
  return page.locator('li.message.assistant').last();
}

/** Waits for the last answer to end (done, stopped or error) and returns its phase. */
export async function waitForAnswerEnd(page: Page, timeout = 60_000): Promise<string> {
  await page.waitForFunction(
    () => {
      const answers = document.querySelectorAll('li.message.assistant');
      const last = answers[answers.length - 1] as HTMLElement | undefined;
      return last !== undefined && ['done', 'stopped', 'error'].includes(last.dataset.phase ?? '');
    },
    undefined,
    { timeout },
  );
  return (await lastAnswer(page).getAttribute('data-phase')) ?? '';
}

/** An event stream the page read: the request's URL and JSON body, and everything received. */
export interface RecordedEventStream {
  url: string;
  request: string;
  body: string;
}

/**
 * Records every event stream the page's browser client reads, as it reads it: a test-only wrapper around
 * `fetch`, installed before the page's own scripts (pass it as `openPage({ setup })`), tees each
 * `text/event-stream` body. What a test compares against is then exactly what the browser received.
 */
export async function recordEventStreams(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const streams: { url: string; request: string; body: string }[] = [];
    (window as unknown as { __streams: typeof streams }).__streams = streams;
    const realFetch = window.fetch.bind(window);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await realFetch(input, init);
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || response.body === null)
        return response;
      const [mine, theirs] = response.body.tee();
      const record = { url: response.url, request: typeof init?.body === 'string' ? init.body : '', body: '' };
      streams.push(record);
      void (async () => {
        const reader = mine.pipeThrough(new TextDecoderStream()).getReader();
        for (let part = await reader.read(); !part.done; part = await reader.read()) record.body += part.value;
      })().catch(() => undefined); // an aborted stream ends the copy too
      return new Response(theirs, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
  });
}

/** The event streams the page read so far (needs `recordEventStreams`). */
export async function recordedEventStreams(page: Page): Promise<RecordedEventStream[]> {
  return page.evaluate(() => (window as unknown as { __streams: RecordedEventStream[] }).__streams);
}
