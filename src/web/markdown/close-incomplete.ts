/**
 * Closes the unterminated syntax at the end of a block that is still streaming, so its partial form
 * renders like its final form instead of flickering between literal markers and formatting: an open
 * code fence is closed, `**bold`, `*em`, `` `code ``, `~~strike` get their closers, a half-written link
 * shows its text alone, a half-written table row waits for its end. Only the open tail block goes
 * through here; the final render never does.
 */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function closeIncomplete(tail: string): string {
  const fence = openFence(tail);
  if (fence !== undefined) return `${tail}${tail.endsWith('\n') ? '' : '\n'}${fence}`;
  let text = tail;
  text = hideHalfTableRow(text);
  text = hideHalfLink(text);
  // A lone list marker or setext underline at the very end flips the block's type for a moment.
  text = text.replace(/\n {0,3}(?:[-*+=]|\d{1,9}[.)])[ \t]*$/, '\n');
  return closeInlineMarkers(text);
}

/** The fence that closes an open fenced code block in `text`, if one is open. */
function openFence(text: string): string | undefined {
  let open: string | undefined;
  for (const line of text.split('\n')) {
    const match = FENCE.exec(line);
    if (match === null) continue;
    const marker = match[1]!;
    if (open === undefined) open = marker;
    else if (marker[0] === open[0] && marker.length >= open.length && line.trim() === marker) open = undefined;
  }
  return open;
}

/**
 * Table rows wait until they are whole: a header row shows as a paragraph of pipes until its delimiter
 * row arrives (then it jumps into a table), and a half row would show a short last row.
 */
function hideHalfTableRow(text: string): string {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const isRow = (line: string) => line.trimStart().startsWith('|');
  let first = lines.length;
  while (first > 0 && isRow(lines[first - 1]!)) first -= 1;
  if (first === lines.length) return text;
  const rows = lines.slice(first);
  const delimiterDone = rows.length > 2 || (rows.length === 2 && text.endsWith('\n'));
  const hasDelimiter =
    delimiterDone &&
    /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(rows[1]!) &&
    cellCount(rows[1]!) === cellCount(rows[0]!);
  if (!hasDelimiter) return lines.slice(0, first).join('\n');
  // A row is whole once its line ends: until then a later cell could still be arriving.
  if (!text.endsWith('\n') && rows.length > 2) lines.pop();
  return lines.join('\n');
}

function cellCount(row: string): number {
  return row.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').length;
}

function hideHalfLink(text: string): string {
  return text
    .replace(/!\[[^\]\n]*(?:\]\([^)\n]*)?$/, '')
    .replace(/\[([^\]\n]*)\]\([^)\n]*$/, '$1')
    .replace(/\[([^\]\n]*)$/, '$1');
}

function closeInlineMarkers(text: string): string {
  // Only the last paragraph's markers matter: earlier lines are already balanced or literal.
  const start = text.lastIndexOf('\n\n') + 1;
  const paragraph = text.slice(start);
  const withoutCode = paragraph.replace(/`[^`\n]*`/g, '');
  if ((withoutCode.match(/`/g)?.length ?? 0) % 2 === 1)
    return /`\s*$/.test(paragraph) ? trimEndMarker(text, '`') : text + '`';
  const open = {
    '**': (withoutCode.match(/\*\*/g)?.length ?? 0) % 2 === 1,
    '*':
      (withoutCode
        .replace(/\*\*/g, '')
        .replace(/^\s*\*\s/gm, '')
        .match(/\*/g)?.length ?? 0) %
        2 ===
      1,
    _: (withoutCode.match(/(?:^|[\s(])_(?=\S)|(?<=\S)_(?=$|[\s).,!?])/g)?.length ?? 0) % 2 === 1,
    '~~': (withoutCode.match(/~~/g)?.length ?? 0) % 2 === 1,
  };
  let body = text;
  // An opening marker with nothing after it yet would show as a literal for a frame: hold it back.
  for (const marker of ['**', '~~', '*', '_'] as const) {
    if (open[marker] && body.trimEnd().endsWith(marker)) {
      body = trimEndMarker(body, marker);
      open[marker] = false;
    }
  }
  let closers = '';
  if (open['*']) closers += '*';
  if (open['**']) closers += '**';
  if (open._) closers += '_';
  if (open['~~']) closers += '~~';
  if (closers === '') return body;
  // Closers must touch the text (a closer after a space is not a closer).
  const trimmed = body.replace(/\s+$/, '');
  return trimmed + closers + body.slice(trimmed.length);
}

function trimEndMarker(text: string, marker: string): string {
  const trimmed = text.trimEnd();
  return trimmed.slice(0, trimmed.length - marker.length);
}
