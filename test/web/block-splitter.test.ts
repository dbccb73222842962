/**
 * The block splitter in Node (marked needs no DOM): a block reported complete never changes, whatever
 * arrives after it; what looks finished but is not (a list before an indented line, a paragraph before
 * a setext underline, a table before its next row, an open fence, `#` that becomes `#x`) stays in the
 * tail; each update lexes the tail only.
 */
import fc from 'fast-check';
import type { Token } from 'marked';
import { describe, expect, it } from 'vitest';
import { BlockSplitter, type CompletedBlock } from '../../src/web/markdown/block-splitter.js';
import { lexMarkdown, tokensHtml } from '../../src/web/markdown/markdown-html.js';
import { chunkedDocument, chunks } from './markdown-arbitraries.js';

/** Feeds `steps` (cumulative texts) one by one; returns every block reported complete and the last tail. */
function feed(steps: string[]): { completed: CompletedBlock[]; tail: string; splitter: BlockSplitter } {
  const splitter = new BlockSplitter();
  const completed: CompletedBlock[] = [];
  let tail = '';
  for (const text of steps) {
    const result = splitter.update(text);
    completed.push(...result.completed);
    tail = result.tail;
  }
  return { completed, tail, splitter };
}

/** Every prefix of `text`, one character more each time. */
function prefixes(text: string): string[] {
  return Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));
}

const types = (blocks: CompletedBlock[]) => blocks.map((block) => block.token.type);

/** The blocks of a lex of the whole text: what the streamed blocks must equal. */
function wholeBlocks(text: string): { type: string; html: string }[] {
  return lexMarkdown(text)
    .filter((token) => token.type !== 'space')
    .map((token) => ({ type: token.type, html: tokensHtml([token]) }));
}

/** Streams `text` in `parts`, finishes, and renders each block as the page would (relinked at the end). */
function streamBlocks(parts: string[]): { type: string; html: string }[] {
  const splitter = new BlockSplitter();
  const blocks: { block: CompletedBlock; html: string }[] = [];
  let text = '';
  for (const part of parts) {
    text += part;
    const { completed, tail } = splitter.update(text);
    for (const block of completed) blocks.push({ block, html: tokensHtml([block.token]) });
    // The text is always exactly the complete blocks plus the tail.
    expect(blocks.map(({ block }) => block.raw).join('') + tail).toBe(text);
  }
  for (const block of splitter.finish(text)) blocks.push({ block, html: tokensHtml([block.token]) });
  return blocks.map(({ block, html }) => {
    if (!splitter.resolvedDifferently(block)) return { type: block.token.type, html };
    const relexed = splitter.lex(block.raw).filter((token: Token) => token.type !== 'space');
    return { type: block.token.type, html: tokensHtml(relexed) };
  });
}

describe('BlockSplitter', () => {
  it('reports a block complete once the next one has started, and keeps the last one open', () => {
    const splitter = new BlockSplitter();
    expect(splitter.update('# Title\n\nFirst').completed).toHaveLength(1);
    const next = splitter.update('# Title\n\nFirst paragraph.\n\nSecond');
    expect(types(next.completed)).toEqual(['paragraph']);
    expect(next.completed[0]!.raw).toBe('First paragraph.\n\n');
    expect(next.completed[0]!.start).toBe('# Title\n\n'.length);
    expect(next.tail).toBe('Second');
    expect(types(splitter.finish('# Title\n\nFirst paragraph.\n\nSecond paragraph.'))).toEqual(['paragraph']);
  });

  it('keeps a list open after a blank line: an indented line or another item may continue it', () => {
    const { completed, tail } = feed(['- one\n- two\n\n', '- one\n- two\n\n  ', '- one\n- two\n\n  still two']);
    expect(completed).toEqual([]);
    expect(tail).toBe('- one\n- two\n\n  still two');
    // `2` may still become `2.`, an item of the same list.
    expect(feed(prefixes('1. one\n\n2')).completed).toEqual([]);
    expect(types(feed(prefixes('1. one\n\n2. two\n\nAfter')).completed)).toEqual(['list']);
    expect(feed(prefixes('1. one\n\n2. two\n\nAfter')).completed[0]!.raw).toBe('1. one\n\n2. two\n\n');
  });

  it('never reports a paragraph complete before a setext underline could arrive', () => {
    const text = 'A title\n---\n\nBody';
    const { completed } = feed(prefixes(text));
    expect(types(completed)).toEqual(['heading']);
    expect(completed[0]!.raw).toBe('A title\n---\n\n');
  });

  it('keeps a table open while it gains rows', () => {
    const table = '| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n';
    expect(feed(prefixes(table)).completed).toEqual([]);
    const { completed } = feed(prefixes(`${table}\nAfter`));
    expect(completed.map((block) => block.raw)).toEqual([`${table}\n`]);
  });

  it('keeps everything after an open code fence in it', () => {
    const text = 'Intro\n\n```ts\nconst a = 1;\n\n# not a heading\n\n- not a list\n';
    const { completed, tail } = feed(prefixes(text));
    expect(types(completed)).toEqual(['paragraph']);
    expect(tail).toBe(text.slice('Intro\n\n'.length));
    const closed = feed(prefixes(`${text}\`\`\`\n\nAfter`));
    expect(types(closed.completed)).toEqual(['paragraph', 'code']);
  });

  it('does not settle a block before a line that only looks like a new block so far', () => {
    // `#`, `-`, `***`, `<div` and ```` ``` ```` decide what they are only with the rest of their line.
    for (const [line, then] of [
      ['#', '#x'],
      ['-', '-x'],
      ['***', '***x'],
      ['<div>', '<divx'],
      ['```', '```x`'],
    ]) {
      for (const before of ['para', '| a |\n|---|\n| 1 |', '- item']) {
        const text = `${before}\n${then} tail`;
        expect(streamBlocks(text.split(''))).toEqual(wholeBlocks(text));
        expect(feed([`${before}\n${line}`]).completed).toEqual([]);
      }
    }
  });

  it('waits for a blank line after a link definition: its title may follow on the next lines', () => {
    const text = "[docs]: https://example.com/docs\n'The\ntitle'\n\nSee [docs].";
    expect(streamBlocks(text.split(''))).toEqual(wholeBlocks(text));
    expect(wholeBlocks(text)[1]!.html).toContain('title="The\ntitle"');
  });

  it('settles HTML blocks and blockquotes only when what ends them has arrived', () => {
    const html = '<div>\nraw\n\nafter the div';
    expect(streamBlocks(html.split(''))).toEqual(wholeBlocks(html));
    expect(types(feed(prefixes('<div>\nraw\nmore')).completed)).toEqual([]);
    const quote = '> quoted\nlazy continuation\n\nAfter';
    expect(types(feed(prefixes('> quoted\nlazy continuation')).completed)).toEqual([]);
    expect(types(feed(prefixes(quote)).completed)).toEqual(['blockquote']);
    expect(streamBlocks(quote.split(''))).toEqual(wholeBlocks(quote));
  });

  it('resolves a reference whose definition comes later, as a lex of the whole text does', () => {
    const text = 'See [the docs].\n\nMore text.\n\n[the docs]: https://example.com/docs\n';
    const splitter = new BlockSplitter();
    const first = splitter.update('See [the docs].\n\nMore').completed[0]!;
    expect(tokensHtml([first.token])).not.toContain('<a');
    splitter.update(text);
    splitter.finish(text);
    expect(splitter.resolvedDifferently(first)).toBe(true);
    expect(streamBlocks(text.split(''))).toEqual(wholeBlocks(text));
    // Nested definitions count too (marked keeps them for the whole text).
    const nested = '> [q]: https://example.com/q\n\nSee [q].\n\nEnd';
    expect(streamBlocks(nested.split(''))).toEqual(wholeBlocks(nested));
  });

  it('lexes only the tail on each update, so a stream costs time proportional to its length', () => {
    const paragraph = 'Some words in a paragraph, **bold** and `code`. ';
    const text = Array.from({ length: 200 }, (_, i) => `## Part ${i}\n\n${paragraph.repeat(3)}\n\n`).join('');
    const splitter = new BlockSplitter();
    let lexed = 0;
    for (let end = 7; end <= text.length; end += 7) {
      const tailStart = splitter.tailStart;
      splitter.update(text.slice(0, end));
      expect(splitter.stats.lexedChars - lexed).toBe(end - tailStart);
      lexed = splitter.stats.lexedChars;
    }
    // Each character is lexed about (tail length / chunk size) times, whatever the length of the text.
    expect(splitter.stats.lexedChars / text.length).toBeLessThan(40);
  });

  it('property: a complete block never changes, and complete blocks plus tail are the text', () => {
    fc.assert(
      fc.property(chunkedDocument, ([text, cuts]) => {
        expect(streamBlocks(chunks(text, cuts))).toEqual(wholeBlocks(text));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('property: also when the text arrives one character at a time', () => {
    fc.assert(
      fc.property(chunkedDocument, ([text]) => {
        expect(streamBlocks(text.split(''))).toEqual(wholeBlocks(text));
      }),
      { seed: 4242, numRuns: 100 },
    );
  });
});
