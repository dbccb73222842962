/**
 * Closes the unterminated syntax at the end of the open tail before it is rendered, so that its partial
 * form looks like its final form instead of flickering between literal markers and formatting:
 * - an open code fence is closed (a half-written closing fence is held back), so the code shows as code;
 * - `**bold`, `*em`, `_em`, `~~strike` and `` `code `` get their closers (a marker with nothing after it
 *   yet is held back rather than shown as a literal for a frame);
 * - a half link `[text](http://…` or `[text` shows its text alone until the link is whole;
 * - a lone list marker, heading marker or task box on the last line is held back (`-` under a paragraph
 *   line would briefly make it a setext heading);
 * - a table's header row waits for its delimiter row, and an empty half row is held back.
 * Only the open tail goes through here, and only for display: the final render never does, so a wrong
 * guess here costs a frame of flicker, never a wrong answer. Pure string work, no parser.
 */

export function closeIncomplete(tail: string): string {
  let text = tail;
  // A chunk can end between the two halves of a surrogate pair: show the character when it is whole.
  if (/[\ud800-\udbff]$/.test(text)) text = text.slice(0, -1);
  // A backslash at the end escapes what comes next (`\|` in a table cell, `\*`): wait for it.
  if (/(?<!\\)(?:\\\\)*\\$/.test(text)) text = text.slice(0, -1);
  const fences = scanFences(text);
  if (fences.open !== undefined) return closeFence(text, fences.open);
  text = dropHalfMarkerLine(text);
  text = hideHalfTable(text);
  return closeInline(text, fences.afterLastFence);
}

interface OpenFence {
  marker: string;
  /** Indentation (and `>` markers) a closing fence needs to stay inside the opener's container. */
  indent: string;
}

const FENCE_LINE = /^([ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?[ \t]*)(`{3,}|~{3,})(.*)$/;

/** Finds the fence still open at the end of `text`, and where the text after the last fence line starts. */
function scanFences(text: string): { open: OpenFence | undefined; afterLastFence: number } {
  let open: OpenFence | undefined;
  let afterLastFence = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    const match = FENCE_LINE.exec(text.slice(lineStart, lineEnd));
    if (match !== null) {
      const run = match[2]!;
      const rest = match[3]!;
      if (open === undefined) {
        // A backtick fence's info string cannot contain a backtick (```` ```x` ```` is inline code).
        if (!(run[0] === '`' && rest.includes('`'))) {
          open = { marker: run, indent: match[1]!.replace(/[^>\s]/g, ' ') };
          afterLastFence = lineEnd;
        }
      } else if (run[0] === open.marker[0] && run.length >= open.marker.length && rest.trim() === '') {
        open = undefined;
        afterLastFence = lineEnd;
      }
    }
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return { open, afterLastFence };
}

function closeFence(text: string, fence: OpenFence): string {
  const lastLineStart = text.lastIndexOf('\n') + 1;
  const lastLine = text.slice(lastLineStart);
  // A closing fence on its way (`` ` `` or ``` `` ``` of a ``` fence) would show as code for a frame.
  const partial = /^[ \t>]*(`+|~+)[ \t]*$/.exec(lastLine);
  let body = text;
  if (partial !== null && partial[1]![0] === fence.marker[0] && lastLineStart > 0) body = text.slice(0, lastLineStart);
  return `${body}${body.endsWith('\n') ? '' : '\n'}${fence.indent}${fence.marker}`;
}

/**
 * `-`, `1.`, `#`, `- [ ]` or `--` alone on the last line: what it is is not known yet (a list item, a
 * heading, a thematic break, a setext underline or text), so it waits for the rest of its line. So do
 * digits alone: `1` may be the start of `1.`.
 */
function dropHalfMarkerLine(text: string): string {
  const lastLineStart = text.lastIndexOf('\n') + 1;
  const lastLine = text.slice(lastLineStart);
  const marker = /^[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)]?)(?:[ \t]+\[[ xX]?\]?)?|#{1,6}|--)[ \t]*$/;
  return marker.test(lastLine) ? text.slice(0, lastLineStart) : text;
}

const ROW = /^[ \t]*\|/;

/**
 * A header row is a paragraph of pipes until its delimiter row arrives, then jumps into a table: hold
 * it (and a half delimiter row) back while the table is still possible. Body rows show as they grow,
 * except a row with no content yet.
 */
function hideHalfTable(text: string): string {
  const lines = text.split('\n');
  const last = lines.length - 1;
  // The line being written, or the last complete one when the text ends with a newline.
  const current = lines[last] === '' ? last - 1 : last;
  if (current < 0 || !ROW.test(lines[current]!)) return text;
  let first = current;
  while (first > 0 && ROW.test(lines[first - 1]!)) first -= 1;
  const hide = () =>
    text.slice(
      0,
      lines.slice(0, first).reduce((length, line) => length + line.length + 1, 0),
    );
  if (first === current) return hide();
  const columns = cells(lines[first]!).length;
  const delimiter = lines[first + 1]!;
  if (first + 1 < last) {
    if (!isDelimiterRow(delimiter, columns)) return text;
  } else if (!(isDelimiterRow(delimiter, columns) && /\|[ \t]*$/.test(delimiter))) {
    // Still being written: hidden while it can become a valid delimiter row, shown as text once it cannot.
    return /^[ \t]*\|[ \t:|-]*$/.test(delimiter) ? hide() : text;
  }
  if (current === last && current > first + 1 && /^[ \t]*\|[ \t|]*$/.test(lines[last]!)) {
    return text.slice(0, text.length - lines[last]!.length);
  }
  return text;
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/);
}

function isDelimiterRow(row: string, columns: number): boolean {
  const parts = cells(row);
  return parts.length === columns && parts.every((cell) => /^[ \t]*:?-+:?[ \t]*$/.test(cell));
}

/** Closes the inline syntax of the last paragraph (or heading, list item, table cell). */
function closeInline(text: string, afterLastFence: number): string {
  const start = inlineStart(text, afterLastFence);
  const head = text.slice(0, start);
  let region = text.slice(start);
  const code = openCodeSpan(region);
  let codePart = '';
  if (code !== undefined) {
    const content = region.slice(code.at + code.run.length);
    // Backticks at the end may be the closer on its way: held back, as is an opener with nothing after it.
    const shown = content.replace(/`+$/, '');
    if (shown.trim() !== '') codePart = code.run + shown + code.run;
    region = region.slice(0, code.at);
  }
  region = hideHalfLink(region);
  if (codePart === '') region = region.replace(/(?<!\\)[*_~]+$/, '');
  const closers = emphasisClosers(region);
  if (codePart !== '') return head + region + codePart + closers;
  const body = region.replace(/\s+$/, '');
  // Closers must touch the text: a closer after a space would not close anything.
  return head + (closers === '' || body === '' ? region : body + closers + region.slice(body.length));
}

const BLOCK_START = /^[ \t]*(?:>[ \t]?)*[ \t]*(?:#{1,6}[ \t]+|(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)/;

/**
 * Where the inline content that can still be open starts: after the last blank line or fence, and
 * after the marker of the last line that starts a heading or list item, or after the last pipe of a
 * table row (emphasis cannot span blocks or cells).
 */
function inlineStart(text: string, afterLastFence: number): number {
  const floor = Math.max(afterLastFence, lastBlankLineEnd(text));
  let lineEnd = text.length;
  let lineStart = text.lastIndexOf('\n') + 1;
  while (lineStart >= floor) {
    const line = text.slice(lineStart, lineEnd);
    if (ROW.test(line)) return lineStart + line.search(/(?<!\\)\|[^|]*$/) + 1;
    const marker = BLOCK_START.exec(line);
    if (marker !== null) return lineStart + marker[0].length;
    if (lineStart === 0) break;
    lineEnd = lineStart - 1;
    lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
  }
  return floor;
}

function lastBlankLineEnd(text: string): number {
  let end = 0;
  for (const match of text.matchAll(/\n(?=[ \t]*\n)/g)) end = text.indexOf('\n', match.index + 1) + 1;
  return end;
}

/** The code span still open at the end of `text` (backtick runs pair with a later run of the same length). */
function openCodeSpan(text: string): { at: number; run: string } | undefined {
  const runs = [...text.matchAll(/(?<!\\)`+/g)];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]![0];
    const closer = runs.findIndex((other, j) => j > i && other[0] === run);
    if (closer === -1) return { at: runs[i]!.index, run };
    i = closer;
  }
  return undefined;
}

/**
 * `[text](http://…`, `[text]` or `[text` at the end shows as `text` until the link is whole; a half
 * autolink `<https://…` shows without its `<` (as the bare URL it will show), a `<` before its scheme
 * is complete not at all.
 */
function hideHalfLink(text: string): string {
  const autolink = /<(?:[a-z][a-z0-9+.-]*(:[^\s<>]*)?)?$/i.exec(text);
  if (autolink !== null) return text.slice(0, autolink.index) + (autolink[1] === undefined ? '' : autolink[0].slice(1));
  const half = /!?\[([^[\]\n]*)(?:\](?:\([^()\n]*)?)?$/.exec(text);
  if (half === null || (half.index > 0 && text[half.index - 1] === '\\')) return text;
  return text.slice(0, half.index) + half[1];
}

const PUNCTUATION = /[\p{P}\p{S}]/u;
const WHITESPACE = /\s/u;

interface Delimiter {
  char: string;
  length: number;
  remaining: number;
  canClose: boolean;
  /** Emphasis inside a word (`2*3`): too often arithmetic or a name to be closed on a guess. */
  intraword: boolean;
}

/**
 * The closers for the emphasis still open at the end of `text`: CommonMark's flanking rules for `*`,
 * `_` and `~` (and its rule of three), matched with a stack, simplified. Code spans, escapes, autolinks,
 * URLs and link destinations are masked first, so their `*` and `_` do not count.
 */
function emphasisClosers(text: string): string {
  const masked = maskInert(text);
  const stack: Delimiter[] = [];
  for (const match of masked.matchAll(/\*+|_+|~+/g)) {
    const at = match.index;
    const char = match[0][0]!;
    const length = match[0].length;
    const before = at === 0 ? '\n' : masked[at - 1]!;
    const after = at + length >= masked.length ? '\n' : masked[at + length]!;
    if (isBullet(masked, at, length, after)) continue;
    if (char === '~' && length > 2) continue;
    const left =
      !WHITESPACE.test(after) && (!PUNCTUATION.test(after) || WHITESPACE.test(before) || PUNCTUATION.test(before));
    const right =
      !WHITESPACE.test(before) && (!PUNCTUATION.test(before) || WHITESPACE.test(after) || PUNCTUATION.test(after));
    const canOpen = char === '_' ? left && (!right || PUNCTUATION.test(before)) : left;
    const canClose = char === '_' ? right && (!left || PUNCTUATION.test(after)) : right;
    let remaining = length;
    if (canClose) remaining = matchOpeners(stack, { char, length, remaining, canClose, intraword: canOpen });
    if (remaining > 0 && canOpen) stack.push({ char, length, remaining, canClose, intraword: left && right });
  }
  return stack
    .filter((delimiter) => delimiter.remaining > 0 && !delimiter.intraword)
    .reverse()
    .map((delimiter) => delimiter.char.repeat(delimiter.char === '~' ? delimiter.length : delimiter.remaining))
    .join('');
}

/**
 * Matches a closing run against the open delimiters; returns what is left of the run. (`intraword` of
 * the closer says whether it can also open, for the rule of three.)
 */
function matchOpeners(stack: Delimiter[], closer: Delimiter): number {
  const { char, length } = closer;
  let remaining = length;
  const matches = (opener: Delimiter) =>
    opener.char === char &&
    (char === '~'
      ? opener.length === length
      : // CommonMark's rule of three: `**2*3**` is strong, the middle `*` does not close the `**`.
        !((opener.canClose || closer.intraword) && (opener.length + length) % 3 === 0) ||
        (opener.length % 3 === 0 && length % 3 === 0));
  while (remaining > 0) {
    const index = stack.findLastIndex(matches);
    if (index === -1) break;
    const opener = stack[index]!;
    const used = Math.min(opener.remaining, remaining);
    opener.remaining -= used;
    remaining -= used;
    // Openers between the pair can no longer close: they stay literal.
    stack.length = opener.remaining > 0 ? index + 1 : index;
  }
  return remaining;
}

/** A `*` list bullet or thematic break at the start of a line is not emphasis. */
function isBullet(text: string, at: number, length: number, after: string): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  if (!/^[ \t>]*$/.test(text.slice(lineStart, at))) return false;
  if (length === 1 && (after === ' ' || after === '\t')) return true;
  const lineEnd = text.indexOf('\n', at);
  return /^[ \t>]*(?:[*_-][ \t]*){3,}$/.test(text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd));
}

/** Replaces what cannot hold emphasis markers (same length, so offsets still match) with plain letters. */
function maskInert(text: string): string {
  const blank = (match: string) => 'a'.repeat(match.length);
  return text
    .replace(/\\[\s\S]/g, blank)
    .replace(/(`+)[\s\S]*?(?<!`)\1(?!`)/g, blank)
    .replace(/<[a-z][a-z0-9+.-]*:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>/gi, blank)
    .replace(/\]\([^()\s]*(?:\s+(?:"[^"]*"|'[^']*'))?\)/g, (match) => ']' + blank(match.slice(1)))
    .replace(/\b(?:https?:\/\/|www\.)[^\s<]*/gi, blank);
}
