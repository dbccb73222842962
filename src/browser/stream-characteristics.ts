/**
 * How an answer streamed, from the arrival of its chunks: time to first token, how many chunks, how big
 * (median and p95 characters), the gaps between them (median and p95) and tokens per second, overall and
 * over time. Families stream very differently (Claude in large coherent chunks, Llama in small frequent
 * ones), and these figures show it. One module for every place that compares models: the page's compare
 * view draws its chart from it and `bedrock-inference compare` prints the same columns.
 *
 * Pure functions over plain numbers, so the browser and Node compute exactly the same figures.
 */

/** One text chunk as it arrived: milliseconds since the request was sent, and its characters. */
export interface ChunkArrival {
  atMs: number;
  chars: number;
}

export interface Spread {
  median: number;
  p95: number;
}

export interface StreamCharacteristics {
  /** From the request to the first text chunk; null when no text arrived. */
  timeToFirstTokenMs: number | null;
  chunkCount: number;
  /** Characters per chunk; null when no text arrived. */
  chunkChars: Spread | null;
  /** Milliseconds between consecutive chunks; null with fewer than two chunks. */
  gapMs: Spread | null;
  /** Output tokens (the model's count when given, else estimated from characters). */
  outputTokens: number;
  /** Output tokens over the time from the first chunk to the last; null with fewer than two chunks. */
  tokensPerSecond: number | null;
  /** From the request to the last chunk (0 when no text arrived). */
  durationMs: number;
}

/** Characters per token when the model's count is unknown (the usual rough rule for English text). */
const CHARS_PER_TOKEN = 4;

/** Nearest-rank percentile of values sorted ascending. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, p95: percentile(sorted, 95) };
}

/** The gaps between consecutive chunks, in milliseconds. */
export function chunkGaps(chunks: readonly ChunkArrival[]): number[] {
  return chunks.slice(1).map((chunk, index) => chunk.atMs - chunks[index]!.atMs);
}

/**
 * The figures for one answer. `outputTokens` is the model's own count (the `usage` event) when known;
 * without it tokens are estimated from characters.
 */
export function streamCharacteristics(
  chunks: readonly ChunkArrival[],
  outputTokens?: number | null,
): StreamCharacteristics {
  const totalChars = chunks.reduce((sum, chunk) => sum + chunk.chars, 0);
  const tokens = outputTokens ?? Math.ceil(totalChars / CHARS_PER_TOKEN);
  const first = chunks[0];
  const last = chunks.at(-1);
  const streamingMs = first === undefined || last === undefined ? 0 : last.atMs - first.atMs;
  return {
    timeToFirstTokenMs: first?.atMs ?? null,
    chunkCount: chunks.length,
    chunkChars: spread(chunks.map((chunk) => chunk.chars)),
    gapMs: spread(chunkGaps(chunks)),
    outputTokens: tokens,
    tokensPerSecond: chunks.length < 2 || streamingMs <= 0 ? null : tokens / (streamingMs / 1000),
    durationMs: last?.atMs ?? 0,
  };
}

/** A point of the cumulative output: time since the request, tokens so far. */
export interface OutputPoint {
  atMs: number;
  tokens: number;
}

/**
 * The output over time, one point per chunk: tokens so far, the model's total shared out over the chunks
 * by their characters (the server sends text, not per-chunk token counts). The slope is tokens per
 * second at that moment; the first point's time is the time to first token.
 */
export function cumulativeOutput(chunks: readonly ChunkArrival[], outputTokens?: number | null): OutputPoint[] {
  const totalChars = chunks.reduce((sum, chunk) => sum + chunk.chars, 0);
  const tokens = outputTokens ?? Math.ceil(totalChars / CHARS_PER_TOKEN);
  const perChar = totalChars === 0 ? 0 : tokens / totalChars;
  let chars = 0;
  return chunks.map((chunk) => {
    chars += chunk.chars;
    return { atMs: chunk.atMs, tokens: chars * perChar };
  });
}

/** Records chunk arrivals against a clock started when the request was sent. */
export class ChunkRecorder {
  readonly chunks: ChunkArrival[] = [];
  private readonly startedAt: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.startedAt = now();
  }

  /** A text chunk arrived (empty deltas are not chunks). */
  text(delta: string): void {
    if (delta === '') return;
    this.chunks.push({ atMs: this.now() - this.startedAt, chars: delta.length });
  }
}
