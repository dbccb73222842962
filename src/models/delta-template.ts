/**
 * The fast path for a family's most frequent chunk, its text delta. A template is the canonical JSON
 * Bedrock sends for it (its keys in Bedrock's order, no spaces) with holes for the values that change:
 * the delta text, integer counters, padding. Matched against a chunk's bytes, a template fills a chunk
 * object it reuses and hands that to the family's normal decoder, skipping JSON.parse and the objects
 * and strings it builds. Anything else (other keys, spacing, number forms) takes JSON.parse as before.
 * A template only accepts bytes whose JSON.parse result it reproduces: the same fields with the same
 * values, except SKIPPED strings, which no decoder reads (padding) and which stay empty.
 */

/** A JSON string: the delta text. */
export const TEXT: unique symbol = Symbol('text');
/** A JSON integer (an index). */
export const INT: unique symbol = Symbol('int');
/** A JSON integer or null (a token count that some chunks leave out). */
export const COUNT: unique symbol = Symbol('count');
/** A JSON string no decoder reads (padding): matched, never decoded. */
export const SKIPPED: unique symbol = Symbol('skipped');

export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | typeof TEXT
  | typeof INT
  | typeof COUNT
  | typeof SKIPPED
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

type Container = Record<string, unknown> | unknown[];

interface Hole {
  kind: typeof TEXT | typeof INT | typeof COUNT | typeof SKIPPED;
  container: Container;
  key: string | number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const textDecoder = new TextDecoder();
const encoder = new TextEncoder();
const NULL = encoder.encode('null');

/** A compiled template: literal bytes around each hole, and the reused chunk the holes fill. */
export class DeltaTemplate {
  readonly #literals: Uint8Array[];
  readonly #holes: Hole[];
  readonly #chunk: Record<string, unknown>;

  constructor(template: { readonly [key: string]: TemplateValue }) {
    const literals: string[] = [''];
    const holes: Hole[] = [];
    const emit = (text: string) => (literals[literals.length - 1] += text);
    const build = (value: TemplateValue, container: Container, key: string | number): unknown => {
      if (value === TEXT || value === INT || value === COUNT || value === SKIPPED) {
        holes.push({ kind: value, container, key });
        literals.push('');
        return value === INT ? 0 : value === COUNT ? null : '';
      }
      if (value === null || typeof value !== 'object') {
        emit(JSON.stringify(value));
        return value;
      }
      if (Array.isArray(value)) {
        const array: unknown[] = [];
        emit('[');
        (value as readonly TemplateValue[]).forEach((item, index) => {
          if (index > 0) emit(',');
          array.push(build(item, array, index));
        });
        emit(']');
        return array;
      }
      const object: Record<string, unknown> = {};
      emit('{');
      Object.entries(value).forEach(([name, item], index) => {
        emit(`${index > 0 ? ',' : ''}${JSON.stringify(name)}:`);
        object[name] = build(item, object, name);
      });
      emit('}');
      return object;
    };
    this.#chunk = build(template, [], 0) as Record<string, unknown>;
    this.#literals = literals.map((literal) => encoder.encode(literal));
    this.#holes = holes;
  }

  /**
   * The chunk for bytes[start, end) when they match (the same object every time: read it before the next
   * match), else undefined.
   */
  match(bytes: Uint8Array, start: number, end: number): Record<string, unknown> | undefined {
    const literals = this.#literals;
    const holes = this.#holes;
    let p = matchLiteral(bytes, start, end, literals[0]!);
    for (let i = 0; i < holes.length && p >= 0; i++) {
      const hole = holes[i]!;
      switch (hole.kind) {
        case TEXT:
          p = readText(bytes, p, end, hole);
          break;
        case INT:
          p = readInt(bytes, p, end, hole);
          break;
        case COUNT: {
          const afterNull = matchLiteral(bytes, p, end, NULL);
          if (afterNull < 0) p = readInt(bytes, p, end, hole);
          else {
            (hole.container as Record<string | number, unknown>)[hole.key] = null;
            p = afterNull;
          }
          break;
        }
        default:
          p = skipString(bytes, p, end);
      }
      if (p >= 0) p = matchLiteral(bytes, p, end, literals[i + 1]!);
    }
    return p === end ? this.#chunk : undefined;
  }
}

/** Position after `literal` at bytes[p], or -1. */
function matchLiteral(bytes: Uint8Array, p: number, end: number, literal: Uint8Array): number {
  const length = literal.length;
  if (end - p < length) return -1;
  for (let i = 0; i < length; i++) if (bytes[p + i] !== literal[i]) return -1;
  return p + length;
}

/** Reads the JSON string at bytes[p] into the hole; the position after its closing quote, or -1. */
function readText(bytes: Uint8Array, p: number, end: number, hole: Hole): number {
  if (bytes[p] !== QUOTE) return -1;
  const start = p + 1;
  let escaped = false;
  let q = start;
  for (; q < end; q++) {
    const byte = bytes[q]!;
    if (byte === QUOTE) break;
    if (byte === BACKSLASH) {
      escaped = true;
      q++;
    } else if (byte < 0x20) return -1; // not valid JSON: let JSON.parse say so
  }
  if (q >= end) return -1;
  let text: string;
  if (!escaped) text = utf8(bytes, start, q);
  else {
    // Escapes (\n, \", \u00e9 ...) are rare in deltas: JSON.parse the string alone.
    try {
      text = JSON.parse(utf8(bytes, p, q + 1)) as string;
    } catch {
      return -1;
    }
  }
  (hole.container as Record<string | number, unknown>)[hole.key] = text;
  return q + 1;
}

/** A JSON string at bytes[p], not decoded: the position after its closing quote, or -1. */
function skipString(bytes: Uint8Array, p: number, end: number): number {
  if (bytes[p] !== QUOTE) return -1;
  for (let q = p + 1; q < end; q++) {
    const byte = bytes[q]!;
    if (byte === QUOTE) return q + 1;
    if (byte === BACKSLASH) q++;
    else if (byte < 0x20) return -1;
  }
  return -1;
}

/** A plain JSON integer (no fraction or exponent, at most 15 digits) into the hole, or -1. */
function readInt(bytes: Uint8Array, p: number, end: number, hole: Hole): number {
  const negative = bytes[p] === 0x2d; /* - */
  let q = negative ? p + 1 : p;
  const first = q;
  let value = 0;
  for (; q < end; q++) {
    const digit = bytes[q]! - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  const digits = q - first;
  if (digits === 0 || digits > 15 || (digits > 1 && bytes[first] === 0x30)) return -1;
  const next = bytes[q];
  if (next === 0x2e /* . */ || next === 0x65 /* e */ || next === 0x45 /* E */) return -1;
  (hole.container as Record<string | number, unknown>)[hole.key] = negative ? -value : value;
  return q;
}

/** UTF-8 of bytes[start, end): Buffer's decoder for Buffers (node's reads), TextDecoder otherwise. */
function utf8(bytes: Uint8Array, start: number, end: number): string {
  // No encoding named: Buffer then goes straight to its UTF-8 decoder instead of looking the name up.
  if (Buffer.isBuffer(bytes)) return bytes.toString(undefined, start, end);
  return textDecoder.decode(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start));
}

/** Tries each template in turn: the first match, else undefined. */
export function matchAny(
  templates: readonly DeltaTemplate[],
  bytes: Uint8Array,
  start: number,
  end: number,
): Record<string, unknown> | undefined {
  for (let i = 0; i < templates.length; i++) {
    const chunk = templates[i]!.match(bytes, start, end);
    if (chunk !== undefined) return chunk;
  }
  return undefined;
}
