/**
 * Markdown that renders as it streams, in time proportional to what arrives rather than to the length
 * of the answer so far. The text is split into top-level blocks (block-splitter.ts): a block that is
 * complete is rendered ONCE into its own element, which is never touched again (a reader's selection in
 * it survives, and settled text is never lexed, sanitised or painted again); only the open tail is
 * rendered again, with its unterminated syntax closed first (close-incomplete.ts) so it does not
 * flicker. Code is highlighted once its block is complete, never while it grows.
 *
 * The DOM is the same as `renderMarkdown` of the whole text: one `div.md-block` per top-level block.
 */
import type { Token } from 'marked';
import { BlockSplitter, type CompletedBlock } from './block-splitter.js';
import { closeIncomplete } from './close-incomplete.js';
import { GrowingCode } from './growing-code.js';
import { highlightCodeIn, prepareLanguageOf } from './highlight.js';
import { lexMarkdown, tokensHtml } from './markdown-html.js';
import { sanitizeToFragment } from './sanitize.js';

export interface StreamingMarkdownOptions {
  /** Highlight code blocks once they are complete (default true). */
  highlight?: boolean;
}

/** What the page needs from a renderer (the benchmark swaps in others with the same shape). */
export interface MarkdownRenderer {
  append(delta: string): void;
  render(): void;
  finish(): void;
  settled(): Promise<void>;
  readonly text: string;
}

export interface StreamingMarkdownStats {
  /** Blocks rendered as complete (each exactly once). */
  completedBlocks: number;
  /** Times the open tail was rendered again. */
  tailRenders: number;
  /** render() calls whose tail came out the same as before: the DOM was left alone. */
  tailUnchanged: number;
  /** Characters given to the lexer in all: stays proportional to the answer's length. */
  lexedChars: number;
  /** render() calls that only appended text to a growing code block (growing-code.ts). */
  codeAppends: number;
  /** Complete blocks rendered a second time at the end, for a link defined after them. */
  relinkedBlocks: number;
}

export class StreamingMarkdown implements MarkdownRenderer {
  private source = '';
  /** A trailing CR held back until we know whether LF follows (the splitter works on LF-only text). */
  private heldCr = false;
  private readonly splitter = new BlockSplitter();
  private tail: HTMLElement | undefined;
  /** marked's HTML for the tail as last painted: an unchanged tail is not painted again. */
  private tailHtml: string | undefined;
  private renderedLength = -1;
  /** The open code block that ends the tail, while new text only extends its code. */
  private growing: GrowingCode | undefined;
  private finished = false;
  /** Complete blocks with a `[`: a link definition arriving later could change them (see finish). */
  private readonly withBrackets: { block: CompletedBlock; element: HTMLElement; html: string }[] = [];
  private pending: Promise<void>[] = [];
  private readonly highlight: boolean;
  readonly stats: StreamingMarkdownStats = {
    completedBlocks: 0,
    tailRenders: 0,
    tailUnchanged: 0,
    lexedChars: 0,
    codeAppends: 0,
    relinkedBlocks: 0,
  };

  constructor(
    private readonly root: HTMLElement,
    options: StreamingMarkdownOptions = {},
  ) {
    this.highlight = options.highlight ?? true;
  }

  get text(): string {
    return this.source + (this.heldCr ? '\n' : '');
  }

  /** Appends a delta to the source; cheap: nothing is parsed or painted until render(). */
  append(delta: string): void {
    if (this.finished) throw new Error('StreamingMarkdown: append() after finish(); start a new renderer instead.');
    if (delta === '') return;
    let text = (this.heldCr ? '\r' : '') + delta;
    this.heldCr = text.endsWith('\r');
    if (this.heldCr) text = text.slice(0, -1);
    this.source += normalizeNewlines(text);
  }

  /**
   * Brings the DOM up to date: newly complete blocks are rendered once, before the tail; the tail is
   * rendered again with its open syntax closed. Meant to be called once per animation frame.
   */
  render(): void {
    if (this.finished || this.source.length === this.renderedLength) return;
    this.renderedLength = this.source.length;
    if (this.growing !== undefined) {
      const grown = this.growing.grow(this.source);
      if (grown === 'appended') this.stats.codeAppends += 1;
      if (grown !== 'closed') return;
      this.growing = undefined;
    }
    const { completed, tail, tailTokens } = this.splitter.update(this.source);
    for (const block of completed) this.paintComplete(block);
    this.paintTail(tail, tailTokens);
    if (this.tail !== undefined && tailTokens.at(-1)?.type === 'code') {
      this.growing = GrowingCode.follow(this.tail, tailTokens, this.splitter.tailStart, this.source);
      // The code's text will move on from what the tail was painted with: paint it afresh next time.
      if (this.growing !== undefined) this.tailHtml = undefined;
      // Its language loads and compiles while the block streams, so highlighting at its end is quick.
      const code = this.highlight ? this.tail.querySelector('pre > code[class*="language-"]') : null;
      if (code !== null) prepareLanguageOf(code);
    }
    this.stats.lexedChars = this.splitter.stats.lexedChars;
  }

  /** The stream ended: the tail becomes complete and is rendered one last time (no full re-render). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.growing = undefined;
    if (this.heldCr) this.source += '\n';
    this.heldCr = false;
    const completed = this.splitter.finish(this.source);
    const tail = this.tail;
    this.tail = undefined;
    // The tail usually already shows its final form: keep its element (and a selection in it) as is.
    const html = completed.length === 1 ? tokensHtml([completed[0]!.token]) : undefined;
    if (tail !== undefined && html !== undefined && html === this.tailHtml) {
      delete tail.dataset.tail;
      this.adopt(completed[0]!, tail, html);
    } else {
      tail?.remove();
      for (const block of completed) this.paintComplete(block);
    }
    this.tailHtml = undefined;
    this.relink();
    this.stats.lexedChars = this.splitter.stats.lexedChars;
  }

  /** Resolves when pending lazy highlighting has been applied. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  private paintComplete(block: CompletedBlock): void {
    const html = tokensHtml([block.token]);
    const element = blockElement(html);
    if (element === undefined) return;
    this.root.insertBefore(element, this.tail ?? null);
    this.adopt(block, element, html);
  }

  /** Bookkeeping for a block element that is now complete: counted, highlighted, watched for links. */
  private adopt(block: CompletedBlock, element: HTMLElement, html: string): void {
    this.stats.completedBlocks += 1;
    if (block.raw.includes('[')) this.withBrackets.push({ block, element, html });
    if (this.highlight) this.highlightIn(element, html);
  }

  private paintTail(tail: string, tailTokens: Token[]): void {
    if (tail.trim() === '') {
      this.tail?.remove();
      this.tail = undefined;
      this.tailHtml = undefined;
      return;
    }
    const closed = closeIncomplete(tail);
    const html = tokensHtml(closed === tail ? tailTokens : this.splitter.lex(closed));
    if (html === this.tailHtml) {
      this.stats.tailUnchanged += 1;
      return;
    }
    this.tailHtml = html;
    if (this.tail === undefined) {
      this.tail = document.createElement('div');
      this.tail.className = 'md-block';
      this.tail.dataset.tail = '';
      this.root.append(this.tail);
    }
    this.tail.replaceChildren(sanitizeToFragment(html));
    this.stats.tailRenders += 1;
  }

  /**
   * A reference like `[docs]` resolves against definitions anywhere in the answer, also later ones. A
   * block rendered before its definition arrived is rendered again once, now: rare, and the only time a
   * complete block is touched after it was painted.
   */
  private relink(): void {
    for (const { block, element, html } of this.withBrackets) {
      if (!this.splitter.resolvedDifferently(block)) continue;
      const tokens = this.splitter.lex(block.raw).filter((token) => token.type !== 'space');
      if (tokens.length !== 1 || tokens[0]!.type !== block.token.type) continue;
      const relinked = tokensHtml(tokens);
      if (relinked === html) continue;
      element.replaceChildren(sanitizeToFragment(relinked));
      this.stats.relinkedBlocks += 1;
      if (this.highlight) this.highlightIn(element, relinked);
    }
    this.withBrackets.length = 0;
  }

  /** Highlights in a task of its own: a long block does not lengthen the frame that completed it. */
  private highlightIn(element: HTMLElement, html: string): void {
    if (!html.includes('<code class="language-')) return;
    this.pending.push(new Promise((resolve) => setTimeout(() => resolve(highlightCodeIn(element)), 0)));
  }
}

function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** The element of one block, or none for a block that renders nothing (a link definition). */
function blockElement(html: string): HTMLElement | undefined {
  if (html === '') return undefined;
  const element = document.createElement('div');
  element.className = 'md-block';
  element.append(sanitizeToFragment(html));
  return element;
}

/**
 * Renders a whole answer at once, appending its blocks to `root`: the same libraries, sanitising and
 * DOM as the streamed form, from one lex of the whole text. It is what a stream must end up equal to,
 * and how stored answers are shown. The DOM is complete on return; the promise resolves once code
 * blocks are highlighted.
 */
export function renderMarkdown(text: string, root: HTMLElement, options: StreamingMarkdownOptions = {}): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const token of lexMarkdown(normalizeNewlines(text))) {
    if (token.type === 'space') continue;
    const html = tokensHtml([token]);
    const element = blockElement(html);
    if (element === undefined) continue;
    root.append(element);
    if ((options.highlight ?? true) && html.includes('<code class="language-')) {
      const highlighted = highlightCodeIn(element);
      if (highlighted !== undefined) pending.push(highlighted);
    }
  }
  return Promise.all(pending).then(() => undefined);
}
