/**
 * Chunk payloads (bedrock-wire.md §2.4): InvokeModelWithResponseStream wraps each model JSON object as
 * `{"bytes":"<base64>","p":"<padding>"}`. We find the base64 string in the wrapper's bytes, decode it into a
 * reused scratch buffer and JSON-parse the model object once (or match it against the family's text-delta
 * templates, which skips the parse); the wrapper itself is never parsed.
 */

import { matchAny, type DeltaTemplate } from '../../models/delta-template.js';

export class ChunkPayloadError extends Error {
  override readonly name = 'ChunkPayloadError';
}

const textDecoder = new TextDecoder();

// base64 alphabet (standard and URL-safe) → 6-bit value; 255 = not base64.
const B64 = new Uint8Array(256).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  B64[c.charCodeAt(0)] = i;
});
B64[0x2d /* - */] = 62;
B64[0x5f /* _ */] = 63;

const QUOTE = 0x22;
const KEY = new TextEncoder().encode('"bytes"');
const PREFIX = new TextEncoder().encode('{"bytes":"');

// Reused across chunks (decoding is synchronous), so the hot path allocates only the final string.
let scratch = Buffer.allocUnsafe(4096);

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Index of the first byte of the `bytes` string value in payload[from, to), or -1 when the wrapper is not
 * in the usual shape.
 */
function findBytesValue(payload: Uint8Array, from: number, to: number): number {
  // Bedrock's own shape, `{"bytes":"`, is checked first; anything else is searched for.
  if (to - from > PREFIX.length && payload[from] === 0x7b) {
    let i = 1;
    while (i < PREFIX.length && payload[from + i] === PREFIX[i]) i++;
    if (i === PREFIX.length) return from + i;
  }
  const end = to - KEY.length;
  outer: for (let i = from; i <= end; i++) {
    if (payload[i] !== QUOTE) continue;
    for (let k = 1; k < KEY.length; k++) if (payload[i + k] !== KEY[k]) continue outer;
    // Only a key at object level counts: the byte before it (skipping spaces) must be `{` or `,`.
    let before = i - 1;
    while (before >= from && isSpace(payload[before])) before--;
    if (before < from || (payload[before] !== 0x7b && payload[before] !== 0x2c)) continue;
    let p = i + KEY.length;
    while (p < to && isSpace(payload[p])) p++;
    if (payload[p] !== 0x3a /* : */) continue;
    p++;
    while (p < to && isSpace(payload[p])) p++;
    return p < to && payload[p] === QUOTE ? p + 1 : -1;
  }
  return -1;
}

/** Decodes base64 bytes [start, end) into the scratch buffer; -1 if they are not plain base64. */
function decodeBase64(payload: Uint8Array, start: number, end: number): number {
  while (end > start && payload[end - 1] === 0x3d /* = */) end--;
  const needed = ((end - start) * 3) >> 2;
  if (scratch.length < needed) scratch = Buffer.allocUnsafe(Math.max(needed, scratch.length * 2));
  const out = scratch;
  let o = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const a = B64[payload[i]!]!;
    const b = B64[payload[i + 1]!]!;
    const c = B64[payload[i + 2]!]!;
    const d = B64[payload[i + 3]!]!;
    if ((a | b | c | d) === 255) return -1;
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
    out[o++] = ((c & 3) << 6) | d;
  }
  const rest = end - i;
  if (rest === 1) return -1;
  if (rest >= 2) {
    const a = B64[payload[i]!]!;
    const b = B64[payload[i + 1]!]!;
    if ((a | b) === 255) return -1;
    out[o++] = (a << 2) | (b >> 4);
    if (rest === 3) {
      const c = B64[payload[i + 2]!]!;
      if (c === 255) return -1;
      out[o++] = ((b & 15) << 4) | (c >> 2);
    }
  }
  return o;
}

/**
 * The last parsed chunks, kept so their hidden classes outlive a full GC between bursts of streams (as
 * shape-anchors.ts does for our classes): the adapters' decoders are compiled against these shapes.
 */
const KEPT_CHUNKS = 16;
/** Only small chunks are kept: their shapes are what matters, and a large one would pin its memory. */
const KEPT_CHUNK_MAX_LENGTH = 4096;
const keptChunks: unknown[] = new Array<unknown>(KEPT_CHUNKS).fill(undefined);
let keptNext = 0;

function parseObject(json: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new ChunkPayloadError(`Bedrock sent a ${what} that is not valid JSON: ${json.slice(0, 200)}`, {
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ChunkPayloadError(`Bedrock sent a ${what} that is not a JSON object: ${json.slice(0, 200)}`);
  }
  if (json.length <= KEPT_CHUNK_MAX_LENGTH) {
    keptChunks[keptNext] = value;
    keptNext = (keptNext + 1) % KEPT_CHUNKS;
  }
  return value as Record<string, unknown>;
}

/** The UTF-8 text of bytes[start, end), through a plain view (Buffer#subarray goes through its species). */
function utf8(bytes: Uint8Array, start: number, end: number): string {
  return textDecoder.decode(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start));
}

/** Slow path for unusual wrappers (escaped characters, other key order with odd spacing). */
function decodeViaJson(payload: Uint8Array, start: number, end: number): Record<string, unknown> {
  const wrapper = parseObject(utf8(payload, start, end), 'chunk wrapper');
  if (typeof wrapper.bytes !== 'string') {
    throw new ChunkPayloadError('Bedrock sent a chunk without a "bytes" string; the stream cannot be read.');
  }
  return parseObject(Buffer.from(wrapper.bytes, 'base64').toString('utf8'), 'chunk');
}

/**
 * `{"bytes":"<base64>","p":...}` at payload[start, end) → the model's JSON object: the family's reused
 * text-delta chunk when the decoded bytes match one of `templates`, else JSON.parse's.
 */
export function decodeChunkPayload(
  payload: Uint8Array,
  start = 0,
  end = payload.length,
  templates?: readonly DeltaTemplate[],
): Record<string, unknown> {
  const valueStart = findBytesValue(payload, start, end);
  if (valueStart < 0) return decodeViaJson(payload, start, end);
  // A backslash before the closing quote (an escape) is not base64: decodeBase64 then sends it the slow way.
  const valueEnd = payload.indexOf(QUOTE, valueStart);
  if (valueEnd < 0 || valueEnd >= end) return decodeViaJson(payload, start, end);
  const length = decodeBase64(payload, valueStart, valueEnd);
  if (length < 0) return decodeViaJson(payload, start, end);
  if (templates !== undefined) {
    const chunk = matchAny(templates, scratch, 0, length);
    if (chunk !== undefined) return chunk;
  }
  // (No encoding named: UTF-8, without Buffer looking the name up.)
  return parseObject(scratch.toString(undefined, 0, length), 'chunk');
}

/**
 * A ConverseStream event payload at payload[start, end) (the member JSON itself): a reused chunk when it
 * matches one of `templates`, else JSON.parse's.
 */
export function decodeJsonPayload(
  payload: Uint8Array,
  start = 0,
  end = payload.length,
  templates?: readonly DeltaTemplate[],
): Record<string, unknown> {
  if (templates !== undefined) {
    const chunk = matchAny(templates, payload, start, end);
    if (chunk !== undefined) return chunk;
  }
  return parseObject(utf8(payload, start, end), 'stream event');
}
