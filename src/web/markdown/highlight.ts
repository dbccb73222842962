/**
 * Syntax highlighting with highlight.js's core; each language is loaded on first use with a dynamic
 * import (esbuild splits every language into its own file, so the page pays only for what answers use).
 * Applied ONCE to a finished code block: highlighting a block that is still growing would redo the whole
 * block on every update (about 9x the cost over a long block). Unknown languages stay plain.
 *
 * Highlighting must not change the block's text: the highlighted HTML is checked (spans only) or
 * sanitised, its text compared with the code's, and only then swapped into the `<code>` element.
 *
 * The work is spread over tasks so no one of them makes a long frame: a language starts loading as soon
 * as a code block in it opens (prepareLanguageOf), its grammar is compiled in a task of its own (the first
 * highlight in a language otherwise pays for it), and the finished block is highlighted in another.
 */
import hljs from 'highlight.js/lib/core';
import type { LanguageFn } from 'highlight.js';
import { sanitizeToFragment } from './sanitize.js';

type Loader = () => Promise<{ default: LanguageFn }>;

/**
 * Loaders by canonical name, each with the languages its grammar embeds (`subLanguage`): those are loaded
 * first, so a block highlights the same whichever blocks came before it.
 */
const LANGUAGES: Record<string, { load: Loader; embeds?: string[] }> = {
  javascript: { load: () => import('highlight.js/lib/languages/javascript'), embeds: ['xml', 'css'] },
  typescript: { load: () => import('highlight.js/lib/languages/typescript'), embeds: ['xml', 'css'] },
  python: { load: () => import('highlight.js/lib/languages/python') },
  bash: { load: () => import('highlight.js/lib/languages/bash') },
  json: { load: () => import('highlight.js/lib/languages/json') },
  xml: { load: () => import('highlight.js/lib/languages/xml'), embeds: ['css', 'javascript'] },
  css: { load: () => import('highlight.js/lib/languages/css') },
  sql: { load: () => import('highlight.js/lib/languages/sql') },
  java: { load: () => import('highlight.js/lib/languages/java') },
  go: { load: () => import('highlight.js/lib/languages/go') },
  rust: { load: () => import('highlight.js/lib/languages/rust') },
  c: { load: () => import('highlight.js/lib/languages/c') },
  cpp: { load: () => import('highlight.js/lib/languages/cpp') },
  csharp: { load: () => import('highlight.js/lib/languages/csharp') },
  yaml: { load: () => import('highlight.js/lib/languages/yaml'), embeds: ['ruby'] },
  markdown: { load: () => import('highlight.js/lib/languages/markdown'), embeds: ['xml'] },
  diff: { load: () => import('highlight.js/lib/languages/diff') },
  ruby: { load: () => import('highlight.js/lib/languages/ruby') },
  php: { load: () => import('highlight.js/lib/languages/php') },
  kotlin: { load: () => import('highlight.js/lib/languages/kotlin') },
  swift: { load: () => import('highlight.js/lib/languages/swift') },
  dockerfile: { load: () => import('highlight.js/lib/languages/dockerfile'), embeds: ['bash'] },
};

const ALIASES: Record<string, string> = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  python3: 'python',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  html: 'xml',
  xhtml: 'xml',
  svg: 'xml',
  yml: 'yaml',
  md: 'markdown',
  patch: 'diff',
  rb: 'ruby',
  kt: 'kotlin',
  cs: 'csharp',
  'c#': 'csharp',
  'c++': 'cpp',
  cc: 'cpp',
  hpp: 'cpp',
  h: 'c',
  golang: 'go',
  rs: 'rust',
  docker: 'dockerfile',
};

const loaded = new Set<string>();
const loading = new Map<string, Promise<void>>();
const prepared = new Map<string, Promise<void>>();

/** The canonical name of a code block's language, if it is one we highlight. */
export function languageOf(code: Element): string | undefined {
  const match = /(?:^|\s)language-(\S+)/.exec(code.className);
  if (match === null) return undefined;
  const name = match[1]!.toLowerCase();
  const canonical = ALIASES[name] ?? name;
  return Object.hasOwn(LANGUAGES, canonical) ? canonical : undefined;
}

/** A language and, recursively, the languages its grammar embeds. */
function withEmbedded(language: string, names = new Set<string>()): Set<string> {
  names.add(language);
  for (const name of LANGUAGES[language]!.embeds ?? []) if (!names.has(name)) withEmbedded(name, names);
  return names;
}

function loadOne(language: string): Promise<void> {
  let promise = loading.get(language);
  if (promise === undefined) {
    promise = LANGUAGES[language]!.load()
      .then((module) => {
        hljs.registerLanguage(language, module.default);
        loaded.add(language);
      })
      // A file that failed to load (offline, a new deployment) leaves the block plain, as unknown ones are.
      .catch(() => undefined);
    loading.set(language, promise);
  }
  return promise;
}

/** Runs `work` as a task of its own (after the current one and its frame's work). */
function inOwnTask(work: () => void): Promise<void> {
  return new Promise((resolve) =>
    setTimeout(() => {
      work();
      resolve();
    }, 0),
  );
}

/**
 * Loads a language and those its grammar embeds, then compiles each grammar in a task of its own
 * (highlighting nothing compiles it, and highlight.js keeps the compiled grammar).
 */
function prepare(language: string): Promise<void> {
  let promise = prepared.get(language);
  if (promise === undefined) {
    const names = [...withEmbedded(language)];
    promise = Promise.all(names.map(loadOne)).then(async () => {
      for (const name of names) {
        if (loaded.has(name)) await inOwnTask(() => hljs.highlight('', { language: name, ignoreIllegals: true }));
      }
    });
    prepared.set(language, promise);
  }
  return promise;
}

/** Starts loading and compiling the language of a code block that is still streaming, ready for its end. */
export function prepareLanguageOf(code: Element): void {
  const language = languageOf(code);
  if (language !== undefined) void prepare(language);
}

function ready(language: string): boolean {
  return [...withEmbedded(language)].every((name) => loaded.has(name));
}

/**
 * highlight.js's HTML is escaped text inside `<span class="...">` and nothing else. Parsed in an inert
 * template (nothing in it runs or loads) and checked to be exactly that, it needs no general sanitiser,
 * which costs about 5x more on a long block; HTML that fails the check goes through DOMPurify instead.
 */
function spansOnly(html: string): DocumentFragment | undefined {
  const template = document.createElement('template');
  template.innerHTML = html;
  const walker = document.createTreeWalker(template.content, NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    const element = node as Element;
    if (element.nodeName !== 'SPAN') return undefined;
    for (const attribute of element.attributes) if (attribute.name !== 'class') return undefined;
  }
  return template.content;
}

function highlightNow(code: Element, language: string): void {
  const source = code.textContent ?? '';
  const html = hljs.highlight(source, { language, ignoreIllegals: true }).value;
  const fragment = spansOnly(html) ?? sanitizeToFragment(html);
  if (fragment.textContent !== source) return;
  code.replaceChildren(fragment);
  code.classList.add('hljs');
}

/**
 * Highlights the code blocks in `root` that have a known language and are not highlighted yet: now if
 * their language is loaded, else once it is. Resolves when all of them are done.
 */
export function highlightCodeIn(root: ParentNode): Promise<void> | undefined {
  const waiting: Promise<void>[] = [];
  for (const code of root.querySelectorAll('pre > code[class*="language-"]')) {
    if (code.classList.contains('hljs')) continue;
    const language = languageOf(code);
    if (language === undefined) continue;
    if (ready(language)) highlightNow(code, language);
    else
      waiting.push(
        prepare(language).then(() =>
          inOwnTask(() => {
            if (ready(language) && !code.classList.contains('hljs')) highlightNow(code, language);
          }),
        ),
      );
  }
  return waiting.length === 0 ? undefined : Promise.all(waiting).then(() => undefined);
}
