/**
 * Test helper: frames encoded by @smithy/eventstream-codec, an encoder independent of our decoder.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export function encodeFrame(headers: Record<string, string>, payload: string | Uint8Array): Uint8Array {
  const messageHeaders: MessageHeaders = {};
  for (const [name, value] of Object.entries(headers)) messageHeaders[name] = { type: 'string', value };
  return codec.encode({ headers: messageHeaders, body: typeof payload === 'string' ? fromUtf8(payload) : payload });
}

/** An InvokeModelWithResponseStream `chunk` frame around one inner JSON object, with padding. */
export function chunkFrame(inner: unknown, padding = 'abcdefgh'): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(inner)).toString('base64');
  return encodeFrame(
    { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify({ bytes, p: padding }),
  );
}

export function converseFrame(eventType: string, payload: unknown): Uint8Array {
  return encodeFrame(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify(payload),
  );
}

export function exceptionFrame(exceptionType: string, body: unknown): Uint8Array {
  return encodeFrame(
    { ':message-type': 'exception', ':exception-type': exceptionType, ':content-type': 'application/json' },
    JSON.stringify(body),
  );
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Splits bytes into reads of `size` bytes (the last may be shorter). */
export async function* reads(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function* readsAt(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of cuts) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

export function hex(text: string): Uint8Array {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}
