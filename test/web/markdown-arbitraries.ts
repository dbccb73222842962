/**
 * fast-check generators for the markdown tests: documents the way models write them (headings,
 * paragraphs with emphasis, links and inline code, lists tight and loose and nested, tables, fenced code
 * with languages, blockquotes, multi-byte text) plus lines that are known to be ambiguous while they are
 * being written (`#`, `-`, `2.`, `***x`, `<div`, half fences and table rows), and chunkings of them.
 */
import fc from 'fast-check';

const WORDS = [
  'stream',
  'token',
  'Bedrock',
  'answer',
  'x_y',
  '2*3',
  'café',
  'naïve',
  '東京',
  '日本語のテキスト',
  '😀',
  '🚀✨',
  '👩‍👩‍👧',
  'e\u0301',
  'Z\u0351\u0361',
  'a.b',
  '(note)',
  '$5',
];

const word = fc.constantFrom(...WORDS);
const words = fc.array(word, { minLength: 1, maxLength: 4 }).map((list) => list.join(' '));

const inlinePiece = fc.oneof(
  { weight: 4, arbitrary: word },
  { weight: 1, arbitrary: words.map((text) => `**${text}**`) },
  { weight: 1, arbitrary: words.map((text) => `*${text}*`) },
  { weight: 1, arbitrary: words.map((text) => `_${text}_`) },
  { weight: 1, arbitrary: words.map((text) => `~~${text}~~`) },
  { weight: 1, arbitrary: fc.constantFrom('`a*b`', '`x_y`', '``a`b``', '`<div>`') },
  { weight: 1, arbitrary: words.map((text) => `[${text}](https://example.com/a_b?q=1&r=2)`) },
  { weight: 1, arbitrary: fc.constant('<https://example.org/x>') },
);

export const inline = fc.array(inlinePiece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(' '));

const heading = fc.tuple(fc.integer({ min: 1, max: 3 }), inline).map(([level, text]) => `${'#'.repeat(level)} ${text}`);

const paragraph = fc.array(inline, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n'));

const setext = fc.tuple(inline, fc.constantFrom('===', '---')).map(([text, line]) => `${text}\n${line}`);

const list = fc
  .record({
    ordered: fc.boolean(),
    bullet: fc.constantFrom('-', '*', '+'),
    loose: fc.boolean(),
    items: fc.array(
      fc.record({
        text: inline,
        nested: fc.option(inline, { nil: undefined }),
        more: fc.option(inline, { nil: undefined }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ ordered, bullet, loose, items }) =>
    items
      .map((item, i) => {
        const marker = ordered ? `${i + 1}.` : bullet;
        const indent = ' '.repeat(marker.length + 1);
        let text = `${marker} ${item.text}`;
        if (item.nested !== undefined) text += `\n${indent}- ${item.nested}`;
        if (item.more !== undefined && loose) text += `\n\n${indent}${item.more}`;
        return text;
      })
      .join(loose ? '\n\n' : '\n'),
  );

const cell = fc.oneof(
  word,
  words.map((text) => `**${text}**`),
  fc.constant('`a|b`'.replace('|', '\\|')),
);
const table = fc
  .integer({ min: 2, max: 3 })
  .chain((columns) =>
    fc
      .tuple(
        fc.array(cell, { minLength: columns, maxLength: columns }),
        fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('---', ':--', '--:', ':-:'),
      )
      .map(([header, rows, align]) =>
        [header, header.map(() => align), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n'),
      ),
  );

const codeLine = fc.constantFrom(
  'const x = a * b; // *not em*',
  'def f(x):',
  '    return x_y  # _not em_',
  '# not a heading',
  '- not a list',
  '| not | a table |',
  '`backticks` inside',
  '<script>alert(1)</script>',
  '',
  '  indented 東京 😀',
);
const fence = fc
  .tuple(
    fc.constantFrom('```', '````', '~~~'),
    fc.constantFrom('ts', 'python', 'json', 'bash', '', 'unknownlang'),
    fc.array(codeLine, { minLength: 1, maxLength: 6 }),
  )
  .map(([marker, lang, lines]) => `${marker}${lang}\n${lines.join('\n')}\n${marker}`);

const blockquote = fc
  .tuple(fc.array(inline, { minLength: 1, maxLength: 2 }), fc.option(inline, { nil: undefined }))
  .map(([lines, lazy]) => lines.map((line) => `> ${line}`).join('\n') + (lazy === undefined ? '' : `\n${lazy}`));

/** Lines that mean something else depending on what follows them. */
const ambiguous = fc.constantFrom(
  '#',
  '#x',
  '-',
  '-x',
  '2.',
  '2',
  '***',
  '***x',
  '<div>',
  '<divx',
  '```x`',
  '| a | b |',
  '|---|---|',
  '[ref]: https://example.com/ref',
  "'title'",
  '[ref] and [ref][]',
  '    indented code',
  '  - nested',
  '>',
);

const wellFormed = [
  { weight: 2, arbitrary: heading },
  { weight: 4, arbitrary: paragraph },
  { weight: 1, arbitrary: setext },
  { weight: 3, arbitrary: list },
  { weight: 2, arbitrary: table },
  { weight: 2, arbitrary: fence },
  { weight: 1, arbitrary: blockquote },
  { weight: 1, arbitrary: fc.constant('---') },
];

function documentOf(block: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(fc.tuple(block, fc.constantFrom('\n\n', '\n\n', '\n\n', '\n')), { minLength: 1, maxLength: 8 }),
      fc.boolean(),
    )
    .map(([blocks, trailingNewline]) => {
      const text = blocks.map(([text, separator], i) => (i === 0 ? text : separator + text)).join('');
      return trailingNewline ? `${text}\n` : text;
    });
}

/** A document: blocks separated by a blank line, or sometimes by a single newline, ambiguous lines included. */
export const markdownDocument = documentOf(fc.oneof(...wellFormed, { weight: 2, arbitrary: ambiguous }));

/** A document the way a model writes one: no ambiguous lines, blocks separated by blank lines. */
export const wellFormedDocument = fc
  .array(fc.oneof(...wellFormed), { minLength: 1, maxLength: 6 })
  .map((blocks) => blocks.join('\n\n'));

/**
 * Sorted cut positions inside `text` (anywhere: inside markers, fences, surrogate pairs): chunks of 1 to
 * `maxChunk` UTF-16 units, as a model's deltas are.
 */
export function cutsOf(text: string, maxChunk = 12): fc.Arbitrary<number[]> {
  if (text.length < 2) return fc.constant([]);
  return fc
    .array(fc.integer({ min: 1, max: maxChunk }), { minLength: text.length, maxLength: text.length })
    .map((sizes) => {
      const cuts: number[] = [];
      for (let at = sizes[0]!, i = 1; at < text.length; at += sizes[i++]!) cuts.push(at);
      return cuts;
    });
}

/** A document with a chunking of it. */
export const chunkedDocument = markdownDocument.chain((text) => fc.tuple(fc.constant(text), cutsOf(text)));

export function chunks(text: string, cuts: number[]): string[] {
  const result: string[] = [];
  let previous = 0;
  for (const cut of [...cuts, text.length]) {
    result.push(text.slice(previous, cut));
    previous = cut;
  }
  return result;
}
