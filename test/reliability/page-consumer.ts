/**
 * The chat page in real headless Chromium as a fault-matrix consumer: one page, opened once on the
 * matrix's server and reused by every cell (New chat, then a prompt typed and sent as a user would).
 * It reports what the user saw: the text the page received (the `text` events of the event streams
 * its browser client read, recorded as the page read them), the text the page kept, how the answer
 * ended, whether the typing indicator or the Stop button was left showing, and, where the page offers
 * Continue on an interrupted answer, what clicking it ended with. Vitest-free, like consumers.ts.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { parseSse } from '../server/http/sse-parse.js';
import type { Consumer, ConsumerEnv, Observation } from './consumers.js';

/** How long the page may take to settle an answer before the cell counts it as stuck. */
const SETTLE_MS = 12_000;

interface RecordedStream {
  url: string;
  body: string;
  ended: boolean;
}

type RecorderWindow = Window & { __matrixStreams: RecordedStream[] };

/**
 * Tees every `text/event-stream` body the page's fetch reads (installed before the page's scripts), so
 * the cell compares the page against exactly what the browser received.
 */
function installRecorder(): void {
  const streams: RecordedStream[] = [];
  (window as unknown as RecorderWindow).__matrixStreams = streams;
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await realFetch(input, init);
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || response.body === null)
      return response;
    const [mine, theirs] = response.body.tee();
    const record: RecordedStream = { url: response.url, body: '', ended: false };
    streams.push(record);
    void (async () => {
      const reader = mine.pipeThrough(new TextDecoderStream()).getReader();
      for (let part = await reader.read(); !part.done; part = await reader.read()) record.body += part.value;
    })()
      .catch(() => undefined) // an aborted stream ends the copy too
      .finally(() => (record.ended = true));
    return new Response(theirs, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

export interface MatrixPage {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Launches Chromium and opens the chat page on `serverUrl` once, with the steady reveal off. */
export async function openMatrixPage(serverUrl: string): Promise<MatrixPage> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(installRecorder);
  await page.goto(serverUrl);
  await page.waitForSelector('#model option', { state: 'attached' });
  // The reveal paces text for reading; the cells judge text, not pacing.
  await page.locator('#settings-toggle').click();
  await page.locator('#smooth').uncheck();
  await page.locator('#settings-toggle').click();
  return { browser, page, close: () => browser.close() };
}

/** What the last answer shows once it settled. */
interface Settled {
  phase: string;
  kept: string;
  note: string;
  typing: boolean;
  stopShown: boolean;
  continueOffered: boolean;
}

async function settle(page: Page): Promise<Settled> {
  await page.waitForFunction(
    () => {
      const last = [...document.querySelectorAll<HTMLElement>('li.message.assistant')].at(-1);
      return last !== undefined && ['done', 'stopped', 'error'].includes(last.dataset.phase ?? '');
    },
    undefined,
    { timeout: SETTLE_MS },
  );
  // The recorded copies of the streams end with the streams themselves.
  await page.waitForFunction(() => (window as unknown as RecorderWindow).__matrixStreams.every((s) => s.ended));
  return page.evaluate(() => {
    const last = [...document.querySelectorAll<HTMLElement>('li.message.assistant')].at(-1)!;
    const stored = JSON.parse(localStorage.getItem('bedrock-chat:conversation:v1') ?? '{"messages":[]}') as {
      messages: { content: string }[];
    };
    const visible = (selector: string, root: ParentNode = last) => {
      const element = root.querySelector<HTMLElement>(selector);
      return element !== null && !element.hidden;
    };
    const continueButton = [...last.querySelectorAll<HTMLButtonElement>('button')].find(
      (button) => button.textContent === 'Continue',
    );
    return {
      phase: last.dataset.phase ?? '',
      kept: stored.messages.at(-1)?.content ?? '',
      note: last.querySelector('.status')?.textContent ?? '',
      typing: visible('.typing'),
      stopShown: visible('#stop', document),
      continueOffered: continueButton !== undefined && !continueButton.hidden,
    };
  });
}

/** The text and the error event of the event streams the page read since `from`. */
async function received(page: Page, from: number): Promise<{ text: string; errorType?: string }> {
  const streams = await page.evaluate(
    (start) => (window as unknown as RecorderWindow).__matrixStreams.slice(start),
    from,
  );
  let text = '';
  let errorType: string | undefined;
  for (const stream of streams) {
    for (const event of parseSse(stream.body).events) {
      if (event.event === 'text') text += (JSON.parse(event.data) as { text: string }).text;
      if (event.event === 'error') errorType = (JSON.parse(event.data) as { type?: string }).type ?? 'error';
    }
  }
  return errorType === undefined ? { text } : { text, errorType };
}

const streamCount = (page: Page) => page.evaluate(() => (window as unknown as RecorderWindow).__matrixStreams.length);

/** What must hold whenever an answer settled, whatever it ended as. */
function settledProblems(what: string, seen: Settled): string[] {
  const problems: string[] = [];
  if (seen.typing) problems.push(`${what}: the typing indicator still shows after the answer ${seen.phase}`);
  if (seen.stopShown) problems.push(`${what}: the Stop button still shows after the answer ${seen.phase}`);
  return problems;
}

export const pageConsumer: Consumer = {
  name: 'chat page (Chromium)',
  resume: false,
  unary: false,
  needs: 'page',
  async run({ page, prompt }: ConsumerEnv): Promise<Observation> {
    if (page === undefined) throw new Error('the page consumer needs a rig opened with { page: true }');
    await page.locator('#new-chat').click();
    const from = await streamCount(page);
    await page.locator('#prompt').fill(prompt);
    await page.locator('#prompt').press('Enter');
    const seen = await settle(page);
    const got = await received(page, from);
    const problems = settledProblems('the answer', seen);
    if (seen.phase === 'done') {
      if (seen.kept !== got.text) problems.push('the page kept other text than it received, and said done');
      return { outcome: 'complete', delivered: got.text, problems };
    }
    if (seen.note.trim() === '') problems.push(`the answer ended as ${seen.phase} with no message shown`);
    const observation: Observation = {
      outcome: 'error',
      delivered: got.text,
      errorType: seen.phase === 'error' ? (got.errorType ?? `shown: ${seen.note}`) : `ended as ${seen.phase}`,
      partialText: seen.kept,
      problems,
    };
    if (seen.continueOffered) {
      // Continue on the kept text: it must finish exactly the uninterrupted answer (the fault was used up).
      await page.locator('li.message.assistant').last().getByRole('button', { name: 'Continue' }).click();
      const after = await settle(page);
      problems.push(...settledProblems('after Continue', after));
      observation.continued = { outcome: after.phase === 'done' ? 'complete' : 'error', text: after.kept };
    } else if (got.text.trim() !== '' && seen.phase === 'error') {
      problems.push('an interrupted answer with text kept does not offer Continue');
    }
    return observation;
  },
};
