/**
 * Splits a growing markdown text into top-level blocks with marked's lexer, and says which blocks are
 * COMPLETE: their source and their rendering will never change whatever text arrives next. Everything
 * from the last such boundary on is the open tail. Settled text is never lexed again: each call lexes
 * from the start of the tail only, so a whole stream costs time proportional to its length.
 *
 * A block is complete when a later block has started after it AND that later block can no longer be
 * re-read as part of it. Only then, because what looks finished often is not:
 * - a list followed by a blank line may go on with an indented line or another item (`2` becomes `2.`);
 * - a paragraph may still become a setext heading, or absorb the next lines lazily: marked cuts a
 *   paragraph where the next line LOOKS like a new block (`#`, `-`, `***`, `<div`, ```` ``` ````, a table
 *   row, even a line followed by `-`), and `#x`, `-x`, `***x`, `<divx` or ```` ```x` ```` then turn out
 *   to be continuation text; blockquotes and list items take lazy lines the same way;
 * - a table gains every following line that does not start another block (`#` may become `#x`);
 * - a link definition's title may follow on the next lines; an HTML block runs to a blank line;
 * - an open code fence swallows everything after it (marked keeps it one token, always the last).
 * So the boundary before a block counts when:
 * - the block before is one that ends with its own line (ATX or setext heading, thematic break, code
 *   block): nothing after it can join it; or it is a table and the new block's first line is complete;
 * - or a blank line lies between them: it ends paragraphs, quotes, HTML blocks and definitions; a list
 *   also needs the new block's first line complete, or its first character a letter or non-ASCII (no
 *   list marker starts so).
 * Paragraphs, lists and quotes followed directly by another block wait for the next blank line; they
 * are settled together with it then. Tested with fast-check over generated answers and chunkings.
 */
import type { MarkedToken, Token, TokensList } from 'marked';
import { lexMarkdown, type Links } from './markdown-html.js';

export interface CompletedBlock {
  /** Offset of the block's source in the whole text. */
  start: number;
  /** The block's source: its token's raw text and the blank lines after it (before it too, for a first block). */
  raw: string;
  /** The block's top-level token, inline tokens included (never a `space` token). */
  token: Token;
  /**
   * The link definitions the block's references were resolved with: those of the blocks before it, and
   * those the same lex found after it, possibly still incomplete. See `resolvedDifferently`.
   */
  links: Links;
}

export interface SplitResult {
  /** Blocks that became complete with this call, in order. */
  completed: CompletedBlock[];
  /** The open tail: the text from the end of the last complete block. */
  tail: string;
  /** The tail's tokens as lexed (when the tail needs no closing, they can be rendered as they are). */
  tailTokens: Token[];
}

export class BlockSplitter {
  private offset = 0;
  /** Definitions in complete blocks: later blocks are lexed with them, as in a lex of the whole text. */
  private readonly known: Links = Object.create(null) as Links;
  readonly stats = { lexCalls: 0, lexedChars: 0 };

  /** Where the open tail starts in the text. */
  get tailStart(): number {
    return this.offset;
  }

  /** The link definitions found in complete blocks so far (do not modify). */
  get links(): Links {
    return this.known;
  }

  /**
   * Whether `block` would render differently with the definitions known now: a reference to a label
   * defined only later in the answer (or whose definition was still incomplete when the block was
   * lexed) resolves in a lex of the whole text. After `finish`, such blocks must be rendered again.
   */
  resolvedDifferently(block: CompletedBlock): boolean {
    if (block.links === this.known || !block.raw.includes('[')) return false;
    const before = Object.keys(block.links);
    const now = Object.keys(this.known);
    if (before.length !== now.length) return true;
    return now.some((tag) => {
      const a = block.links[tag];
      const b = this.known[tag]!;
      return a === undefined || a.href !== b.href || a.title !== b.title;
    });
  }

  /**
   * Brings the split up to date with `text`, which must extend the text of the previous calls (LF line
   * ends only: marked would turn CR LF into LF and the offsets would drift).
   */
  update(text: string): SplitResult {
    const source = text.slice(this.offset);
    const tokens = this.lex(source);
    const starts = tokenStarts(tokens);
    // marked keeps every character in some token's raw; if it ever did not, settle nothing rather than drift.
    const exact = starts.at(-1) === source.length;
    const cut = exact ? lastSafeCut(tokens, starts, source) : 0;
    const completed = this.settle(tokens, starts, cut, source, tokens.links);
    return { completed, tail: source.slice(starts[cut]), tailTokens: tokens.slice(cut) };
  }

  /** The stream ended: the whole tail is complete. */
  finish(text: string): CompletedBlock[] {
    const source = text.slice(this.offset);
    const tokens = this.lex(source);
    return this.settle(tokens, tokenStarts(tokens), tokens.length, source, tokens.links);
  }

  /** Lexes `source` with the definitions of the complete blocks. */
  lex(source: string): TokensList {
    this.stats.lexCalls += 1;
    this.stats.lexedChars += source.length;
    return lexMarkdown(source, this.known);
  }

  /** Tokens before `cut` become complete blocks; each carries the blank lines that follow it. */
  private settle(tokens: Token[], starts: number[], cut: number, source: string, links: Links): CompletedBlock[] {
    const completed: CompletedBlock[] = [];
    let blockStart = 0;
    for (let i = 0; i < cut; i++) {
      const token = tokens[i]!;
      if (token.type === 'space') continue;
      let end = i + 1;
      while (end < cut && tokens[end]!.type === 'space') end += 1;
      completed.push({
        start: this.offset + blockStart,
        raw: source.slice(blockStart, starts[end]),
        token,
        links,
      });
      this.defineFrom(token);
      blockStart = starts[end]!;
    }
    this.offset += starts[cut]!;
    return completed;
  }

  /** Records the definitions in a complete block, nested ones too (in quotes and lists), in order. */
  private defineFrom(block: Token): void {
    const token = block as MarkedToken;
    if (token.type === 'def') {
      // The first definition of a label wins, as in marked's lexer.
      if (!Object.hasOwn(this.known, token.tag)) this.known[token.tag] = { href: token.href, title: token.title };
      return;
    }
    if (token.type === 'blockquote') token.tokens.forEach((child) => this.defineFrom(child));
    if (token.type === 'list') token.items.forEach((item) => item.tokens.forEach((child) => this.defineFrom(child)));
  }
}

/** The offset of each token in the source, plus the end (the sum of all raws) at index `tokens.length`. */
function tokenStarts(tokens: Token[]): number[] {
  const starts = [0];
  let offset = 0;
  for (const token of tokens) {
    offset += token.raw.length;
    starts.push(offset);
  }
  return starts;
}

/** The index of the first token of the tail: the last boundary that is safe (0: none is). */
function lastSafeCut(tokens: Token[], starts: number[], source: string): number {
  let next = -1;
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (tokens[i]!.type === 'space') continue;
    if (next !== -1 && safeBoundary(tokens[i]!, starts[next]!, source)) return next;
    next = i;
  }
  return 0;
}

/** Blocks that end with their own last line: nothing after them can join them. */
const SELF_CLOSING = new Set(['heading', 'hr', 'code', 'lheading']);

/** Whether the block that starts at `start` right after block `before` can no longer change `before`. */
function safeBoundary(before: Token, start: number, source: string): boolean {
  if (!precededByBlankLine(source, start)) {
    if (SELF_CLOSING.has(before.type)) return true;
    // A table ends at a line that starts another block; `#`, `-` or `>x`... decide only with their line.
    return before.type === 'table' && firstLineComplete(source, start);
  }
  // After a blank line only a list can go on, with an item of its own kind (`2` may become `2.`).
  return before.type !== 'list' || firstLineComplete(source, start) || /^[A-Za-z\u0080-\uffff]/.test(source[start]!);
}

function firstLineComplete(source: string, start: number): boolean {
  return source.indexOf('\n', start) !== -1;
}

function precededByBlankLine(source: string, start: number): boolean {
  let i = start - 2;
  while (i >= 0 && (source[i] === ' ' || source[i] === '\t')) i -= 1;
  return i < 0 || source[i] === '\n';
}
