/**
 * Syntax highlighting with highlight.js's core, each language loaded on first use (esbuild splits
 * every language into its own file), applied once to a finished code block: highlighting a block
 * that is still growing would redo the whole block on every line.
 */
import hljs from 'highlight.js/lib/core';
import type { LanguageFn } from 'highlight.js';
import { sanitizeHtml } from './sanitize.js';

type Loader = () => Promise<{ default: LanguageFn }>;

const LOADERS: Record<string, Loader> = {
  javascript: () => import('highlight.js/lib/languages/javascript'),
  typescript: () => import('highlight.js/lib/languages/typescript'),
  python: () => import('highlight.js/lib/languages/python'),
  bash: () => import('highlight.js/lib/languages/bash'),
  json: () => import('highlight.js/lib/languages/json'),
  xml: () => import('highlight.js/lib/languages/xml'),
  css: () => import('highlight.js/lib/languages/css'),
  sql: () => import('highlight.js/lib/languages/sql'),
  java: () => import('highlight.js/lib/languages/java'),
  go: () => import('highlight.js/lib/languages/go'),
  rust: () => import('highlight.js/lib/languages/rust'),
  c: () => import('highlight.js/lib/languages/c'),
  cpp: () => import('highlight.js/lib/languages/cpp'),
  csharp: () => import('highlight.js/lib/languages/csharp'),
  yaml: () => import('highlight.js/lib/languages/yaml'),
  markdown: () => import('highlight.js/lib/languages/markdown'),
  diff: () => import('highlight.js/lib/languages/diff'),
  ruby: () => import('highlight.js/lib/languages/ruby'),
  php: () => import('highlight.js/lib/languages/php'),
  kotlin: () => import('highlight.js/lib/languages/kotlin'),
  swift: () => import('highlight.js/lib/languages/swift'),
  shell: () => import('highlight.js/lib/languages/shell'),
  dockerfile: () => import('highlight.js/lib/languages/dockerfile'),
};

const ALIASES: Record<string, string> = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  sh: 'bash',
  zsh: 'bash',
  console: 'shell',
  html: 'xml',
  svg: 'xml',
  xhtml: 'xml',
  yml: 'yaml',
  md: 'markdown',
  rb: 'ruby',
  kt: 'kotlin',
  cs: 'csharp',
  'c++': 'cpp',
  h: 'c',
  hpp: 'cpp',
  golang: 'go',
  rs: 'rust',
  docker: 'dockerfile',
};

const loading = new Map<string, Promise<boolean>>();

/** The canonical name of a fence's language, if we can highlight it. */
export function languageOf(code: Element): string | undefined {
  const match = /\blanguage-([\w+#-]+)/.exec(code.className);
  if (match === null) return undefined;
  const name = match[1]!.toLowerCase();
  const canonical = ALIASES[name] ?? name;
  return canonical in LOADERS ? canonical : undefined;
}

function load(language: string): Promise<boolean> {
  let promise = loading.get(language);
  if (promise === undefined) {
    promise = LOADERS[language]!()
      .then((module) => {
        hljs.registerLanguage(language, module.default);
        return true;
      })
      .catch(() => false);
    loading.set(language, promise);
  }
  return promise;
}

/** Highlights the finished code blocks in `root` once each; resolves when done. */
export async function highlightCodeIn(root: Element): Promise<void> {
  const blocks = [...root.querySelectorAll('pre > code')].filter((code) => !code.classList.contains('hljs'));
  await Promise.all(
    blocks.map(async (code) => {
      const language = languageOf(code);
      if (language === undefined || !(await load(language)) || !code.isConnected) return;
      const source = code.textContent ?? '';
      code.innerHTML = sanitizeHtml(hljs.highlight(source, { language, ignoreIllegals: true }).value);
      code.classList.add('hljs');
    }),
  );
}
