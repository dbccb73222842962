/**
 * Re-chunks streamed text for consumers that want fewer, more coherent updates: whole words,
 * sentences, lines, or at most one update per interval. Pull-based: no timers; the interval mode
 * releases buffered text when a new delta arrives after the interval, and flush() releases the rest.
 */
import { ValidationError } from '../errors.js';
import type { ChunkingMode } from './types.js';

export interface Rechunker {
  /** Takes a delta; returns the text to release now, or undefined to keep buffering. */
  push(delta: string): string | undefined;
  /** Releases whatever is buffered (end of stream or before an error). */
  flush(): string | undefined;
}

const isSpace = (code: number) => code === 32 || code === 10 || code === 13 || code === 9;
// . ! ? and their full-width / ellipsis forms end a sentence when whitespace follows.
const isTerminator = (code: number) =>
  code === 46 || code === 33 || code === 63 || code === 0x2026 || code === 0x3002 || code === 0xff01 || code === 0xff1f;

/** Index just past the last boundary in `text`, looking no earlier than `from`; -1 when none. */
type BoundaryFinder = (text: string, from: number) => number;

const lastWordBoundary: BoundaryFinder = (text, from) => {
  for (let i = text.length - 1; i >= from; i--) if (isSpace(text.charCodeAt(i))) return i + 1;
  return -1;
};

const lastLineBoundary: BoundaryFinder = (text, from) => {
  const index = text.lastIndexOf('\n');
  return index >= from ? index + 1 : -1;
};

const lastSentenceBoundary: BoundaryFinder = (text, from) => {
  for (let i = text.length - 1; i >= Math.max(from, 1); i--) {
    const code = text.charCodeAt(i);
    if (code === 10) return i + 1;
    if (isSpace(code) && isTerminator(text.charCodeAt(i - 1))) return i + 1;
    // CJK full stops need no following space.
    if (code === 0x3002 || code === 0xff01 || code === 0xff1f) return i + 1;
  }
  return -1;
};

class BoundaryRechunker implements Rechunker {
  #buffer = '';
  constructor(private readonly find: BoundaryFinder) {}

  push(delta: string): string | undefined {
    // Only the new delta (and the char before it, for "terminator + space") can hold a new boundary.
    const from = this.#buffer.length === 0 ? 0 : this.#buffer.length - 1;
    const text = this.#buffer + delta;
    const cut = this.find(text, from);
    if (cut <= 0) {
      this.#buffer = text;
      return undefined;
    }
    this.#buffer = text.slice(cut);
    return text.slice(0, cut);
  }

  flush(): string | undefined {
    const rest = this.#buffer;
    this.#buffer = '';
    return rest === '' ? undefined : rest;
  }
}

class IntervalRechunker implements Rechunker {
  #buffer = '';
  #lastRelease = -Infinity;
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  push(delta: string): string | undefined {
    this.#buffer += delta;
    const now = this.now();
    if (now - this.#lastRelease < this.intervalMs) return undefined;
    this.#lastRelease = now;
    return this.flush();
  }

  flush(): string | undefined {
    const rest = this.#buffer;
    this.#buffer = '';
    return rest === '' ? undefined : rest;
  }
}

/** undefined for 'none': the caller then passes deltas through untouched (no work per chunk). */
export function createRechunker(
  mode: ChunkingMode | undefined,
  now: () => number = performance.now.bind(performance),
): Rechunker | undefined {
  if (mode === undefined || mode === 'none') return undefined;
  if (mode === 'word') return new BoundaryRechunker(lastWordBoundary);
  if (mode === 'sentence') return new BoundaryRechunker(lastSentenceBoundary);
  if (mode === 'line') return new BoundaryRechunker(lastLineBoundary);
  if (typeof mode === 'object' && mode !== null && typeof mode.intervalMs === 'number' && mode.intervalMs >= 0) {
    return new IntervalRechunker(mode.intervalMs, now);
  }
  throw new ValidationError(
    `chunking must be 'none', 'word', 'sentence', 'line' or { intervalMs } (got ${JSON.stringify(mode)}).`,
  );
}
