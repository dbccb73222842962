/**
 * The markdown renderer alone in real Chromium: src/web/markdown bundled with esbuild (code-split as the
 * page is, so highlight.js languages load lazily), served from loopback, exposed as `window.md`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';

export interface MarkdownHarness {
  browser: Browser;
  url: string;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

const ENTRY = `
import * as md from './src/web/markdown/index.ts';
window.md = md;
`;

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module" src="/entry.js"></script><div id="root"></div>`;

export async function startMarkdownHarness(): Promise<MarkdownHarness> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: '/virtual',
    entryNames: 'entry',
    write: false,
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.map((file) => [file.path.replace('/virtual', ''), file.text]));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': "script-src 'self'" });
      res.end(PAGE);
      return;
    }
    const file = files.get(path);
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await launchChromium();
  return {
    browser,
    url,
    async newPage() {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => 'md' in window);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
