/**
 * The largest open tails are code blocks whose fence is still open: re-lexing, re-sanitising and
 * repainting a 100-line block on every frame to add one line would make each frame cost more as the
 * block grows. While the fence stays open nothing but the code's text can change (an open fence swallows
 * everything after it), so the new text is appended to the code's one text node instead: plain text, no
 * parsing, no HTML, the cost of what arrived. As soon as a line might close the fence, the caller goes
 * back to rendering the tail.
 *
 * Only a fence at the start of a line (no indentation, not inside a list or quote) is followed, so the
 * code's text is exactly the source after the fence line. What the tail render would hold back is held
 * back here too: a last line that may be a closing fence (`` ` ``, ``` `` ```, spaces, empty) and half a
 * surrogate pair.
 */
import type { Token } from 'marked';

const OPENER = /^(`{3,}|~{3,})([^\n]*)\n/;
const CLOSER = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const MAYBE_CLOSER = /^ {0,3}(?:`+|~+)?[ \t]*$/;

export class GrowingCode {
  private constructor(
    private readonly node: Text,
    private readonly marker: string,
    private readonly contentStart: number,
    private shown: number,
  ) {}

  /**
   * Follows the open fence that ends the tail (starting at `tailStart` in `source`), if the tail's
   * element shows its code so far as one text node, exactly.
   */
  static follow(tail: HTMLElement, tailTokens: Token[], tailStart: number, source: string): GrowingCode | undefined {
    const last = tailTokens.at(-1);
    if (last?.type !== 'code') return undefined;
    const fenceStart = source.length - last.raw.length;
    const opener = OPENER.exec(last.raw);
    if (opener === null || fenceStart < tailStart || !source.startsWith(opener[0], fenceStart)) return undefined;
    if (fenceStart > 0 && source[fenceStart - 1] !== '\n') return undefined;
    const marker = opener[1]!;
    if (marker[0] === '`' && opener[2]!.includes('`')) return undefined;
    const contentStart = fenceStart + opener[0].length;
    if (closes(source, contentStart, source.length, marker, contentStart)) return undefined;
    const code = tail.lastElementChild?.nodeName === 'PRE' ? tail.lastElementChild.firstElementChild : null;
    if (code?.nodeName !== 'CODE' || code.childNodes.length > 1) return undefined;
    const shown = visibleEnd(source, contentStart);
    if (code.textContent !== source.slice(contentStart, shown)) return undefined;
    let node = code.firstChild;
    if (node === null) node = code.appendChild(code.ownerDocument.createTextNode(''));
    if (node.nodeType !== node.TEXT_NODE) return undefined;
    return new GrowingCode(node as Text, marker, contentStart, shown);
  }

  /**
   * Shows what arrived since the last call. 'closed' (nothing changed) when a new line may have closed
   * the fence: the tail must be rendered again.
   */
  grow(source: string): 'appended' | 'unchanged' | 'closed' {
    if (closes(source, this.shown, source.length, this.marker, this.contentStart)) return 'closed';
    const end = visibleEnd(source, this.shown);
    if (end <= this.shown) return 'unchanged';
    this.node.appendData(source.slice(this.shown, end));
    this.shown = end;
    return 'appended';
  }
}

/** Whether a complete line that starts in `source[from, to)` closes a fence of `marker`. */
function closes(source: string, from: number, to: number, marker: string, contentStart: number): boolean {
  // A line continuing one already shown cannot be a closing fence (it already had other characters).
  let lineStart = from === contentStart ? from : source.indexOf('\n', from) + 1;
  while (lineStart > 0 && lineStart < to) {
    const lineEnd = source.indexOf('\n', lineStart);
    if (lineEnd === -1) return false;
    const closer = CLOSER.exec(source.slice(lineStart, lineEnd));
    if (closer !== null && closer[1]![0] === marker[0] && closer[1]!.length >= marker.length) return true;
    lineStart = lineEnd + 1;
  }
  return false;
}

/** Where the code that can be shown ends: before a last line that may be a closing fence on its way. */
function visibleEnd(source: string, floor: number): number {
  const lastLine = source.lastIndexOf('\n') + 1;
  let end = MAYBE_CLOSER.test(source.slice(lastLine)) ? lastLine - 1 : source.length;
  if (end > floor && /[\ud800-\udbff]/.test(source[end - 1]!)) end -= 1;
  return Math.max(end, floor);
}
