/**
 * Markdown that renders as it streams, in time proportional to what arrives rather than to the length
 * of the answer. The source is split into top-level blocks with marked's lexer: a block followed by
 * another block is complete and is rendered once, into its own element that is never touched again (so
 * a reader's selection in it survives); only the open tail block is re-rendered, with its unterminated
 * syntax closed first so it does not flicker. Settled text is never lexed again.
 */
import type { Token } from 'marked';
import { closeIncomplete } from './close-incomplete.js';
import { highlightCodeIn } from './highlight.js';
import { blockHtml, lexBlocks } from './markdown-html.js';
import { sanitizeHtml } from './sanitize.js';

export interface StreamingMarkdownOptions {
  /** Highlight code blocks once their fence closes (default true). */
  highlight?: boolean;
}

export interface MarkdownRenderer {
  append(delta: string): void;
  render(): void;
  finish(): void;
  settled(): Promise<void>;
  readonly text: string;
}

export class StreamingMarkdown implements MarkdownRenderer {
  private source = '';
  /** A trailing '\r' held back until we know whether '\n' follows (marked reads '\r\n' as one newline). */
  private heldCr = false;
  /** Length of the source already rendered into settled blocks. */
  private settledLength = 0;
  private tail: HTMLElement | undefined;
  /** The unsettled source at the last render: nothing to do while it is unchanged. */
  private lastOpen: string | undefined;
  private pending: Promise<void>[] = [];
  readonly stats = { settledBlocks: 0, tailRenders: 0 };

  constructor(
    private readonly root: HTMLElement,
    private readonly options: StreamingMarkdownOptions = {},
  ) {}

  get text(): string {
    return this.source + (this.heldCr ? '\n' : '');
  }

  append(delta: string): void {
    if (delta === '') return;
    let text = (this.heldCr ? '\r' : '') + delta;
    this.heldCr = text.endsWith('\r');
    if (this.heldCr) text = text.slice(0, -1);
    this.source += text.replace(/\r\n?/g, '\n');
  }

  render(): void {
    this.update(false);
  }

  finish(): void {
    if (this.heldCr) {
      this.heldCr = false;
      this.source += '\n';
    }
    this.update(true);
  }

  async settled(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }

  private update(final: boolean): void {
    const open = this.source.slice(this.settledLength);
    if (!final && open === this.lastOpen) return;
    const tokens = lexBlocks(open);
    // marked keeps every character in some token's raw; if not, settle nothing this time rather than drift.
    const exact = tokens.reduce((sum, token) => sum + token.raw.length, 0) === open.length;
    const lastBlock = final ? tokens.length : exact ? lastContentIndex(tokens) : 0;
    let offset = 0;
    for (let i = 0; i < lastBlock; i++) {
      const token = tokens[i]!;
      offset += token.raw.length;
      if (token.type === 'space') continue;
      this.settle(token);
    }
    this.settledLength += offset;
    if (final) {
      this.tail?.remove();
      this.tail = undefined;
      this.lastOpen = undefined;
      return;
    }
    const tailSource = open.slice(offset);
    this.lastOpen = tailSource;
    if (tailSource.trim() === '') {
      this.tail?.remove();
      this.tail = undefined;
      return;
    }
    const tail = (this.tail ??= this.root.appendChild(blockElement()));
    // Settled blocks were inserted before the tail, which stays last.
    tail.innerHTML = sanitizeHtml(lexBlocks(closeIncomplete(tailSource)).map(blockHtml).join(''));
    this.stats.tailRenders += 1;
  }

  /** Renders a complete block once, before the tail, and highlights its code. */
  private settle(token: Token): void {
    const element = blockElement();
    element.innerHTML = sanitizeHtml(blockHtml(token));
    if (this.tail !== undefined) this.root.insertBefore(element, this.tail);
    else this.root.appendChild(element);
    this.stats.settledBlocks += 1;
    if (this.options.highlight !== false && token.type === 'code') this.pending.push(highlightCodeIn(element));
  }
}

/** The index of the last block that is not blank space: everything before it is complete. */
function lastContentIndex(tokens: Token[]): number {
  for (let i = tokens.length - 1; i >= 0; i--) if (tokens[i]!.type !== 'space') return i;
  return 0;
}

function blockElement(): HTMLElement {
  const element = document.createElement('div');
  element.className = 'md-block';
  return element;
}

/**
 * Renders a whole answer at once, with the same blocks, libraries and sanitising as the streamed form:
 * what a stream must end up equal to, and how stored answers are shown.
 */
export function renderMarkdown(text: string, root: HTMLElement, options: StreamingMarkdownOptions = {}): Promise<void> {
  const renderer = new StreamingMarkdown(root, options);
  renderer.append(text);
  renderer.finish();
  return renderer.settled();
}
