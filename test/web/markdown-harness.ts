/**
 * The markdown renderer alone in real Chromium: src/web/markdown bundled with esbuild, code-split as the
 * page is (so highlight.js languages load lazily, each its own file), served with every output file from
 * a tiny loopback server under a CSP that forbids inline script, and exposed as `window.md`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';

export interface MarkdownHarness {
  browser: Browser;
  /** The page's origin, with a trailing slash. */
  url: string;
  /** The files esbuild wrote (the entry and one chunk per lazily loaded language, among others). */
  files: string[];
  /**
   * A page with the module loaded. `csp: false` serves it without the Content-Security-Policy, so that
   * an injection the sanitiser missed would really run (the CSP alone would block inline handlers).
   */
  newPage(options?: { csp?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

const ENTRY = `
import * as md from './src/web/markdown/index.ts';
window.md = md;
`;

/** A minimal stylesheet so a screenshot reads like an answer (the real page's CSS is the page's own). */
const STYLE = `
body { font: 15px/1.55 system-ui, sans-serif; color: #1f2328; margin: 0; }
#root { max-width: 760px; margin: 16px auto; padding: 0 16px; }
.md-block > :first-child { margin-top: 0.6em; }
h1, h2, h3 { line-height: 1.25; margin: 0.9em 0 0.4em; }
code { font: 13px ui-monospace, monospace; background: #f3f4f6; padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: #f6f8fa; padding: 10px 12px; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: 4px 10px; }
blockquote { margin: 0.8em 0; padding-left: 12px; border-left: 3px solid #d0d7de; color: #57606a; }
a { color: #0969da; }
.hljs-keyword, .hljs-built_in { color: #cf222e; } .hljs-string { color: #0a3069; }
.hljs-comment { color: #6e7781; font-style: italic; } .hljs-number, .hljs-literal { color: #0550ae; }
.hljs-title, .hljs-title.function_ { color: #8250df; } .hljs-type, .hljs-params { color: #953800; }
`;

const PAGE = `<!doctype html><meta charset="utf-8"><style>${STYLE}</style>
<script type="module" src="/entry.js"></script><div id="root"></div>`;

export async function startMarkdownHarness(): Promise<MarkdownHarness> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    outdir: '/virtual',
    entryNames: 'entry',
    write: false,
    logLevel: 'silent',
  });
  const files = new Map(result.outputFiles.map((file) => [file.path.replace('/virtual', ''), file.text]));
  const server: Server = createServer((req, res) => {
    const [path, query] = (req.url ?? '/').split('?');
    if (path === '/') {
      const csp = query === 'no-csp' ? {} : { 'content-security-policy': "script-src 'self'" };
      res.writeHead(200, { 'content-type': 'text/html', ...csp });
      res.end(PAGE);
      return;
    }
    const file = files.get(path ?? '');
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
    files: [...files.keys()],
    async newPage({ csp = true } = {}) {
      const page = await browser.newPage();
      await page.goto(csp ? url : `${url}?no-csp`);
      await page.waitForFunction(() => 'md' in window);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
