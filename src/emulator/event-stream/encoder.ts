/**
 * Encodes AWS event-stream messages (bedrock-wire.md §2): prelude, string headers, payload, two CRC-32s.
 * Bedrock only sends string headers (type 7), in the order captured from real traffic.
 */
import { crc32 } from 'node:zlib';

const PRELUDE_LENGTH = 12;
const OVERHEAD = 16;
const STRING_HEADER_TYPE = 7;

export type EventStreamHeaders = readonly (readonly [name: string, value: string])[];

/** Serialises headers once; chunk events reuse the same block for every frame. */
export function encodeHeaders(headers: EventStreamHeaders): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of headers) {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const header = Buffer.allocUnsafe(1 + nameBytes.length + 1 + 2 + valueBytes.length);
    header.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(header, 1);
    header.writeUInt8(STRING_HEADER_TYPE, 1 + nameBytes.length);
    header.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
    valueBytes.copy(header, 4 + nameBytes.length);
    parts.push(header);
  }
  return Buffer.concat(parts);
}

/** One complete message from a pre-encoded header block and a payload. */
export function encodeMessage(headerBlock: Uint8Array, payload: Uint8Array): Buffer {
  const total = OVERHEAD + headerBlock.length + payload.length;
  const message = Buffer.allocUnsafe(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBlock.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  message.set(headerBlock, PRELUDE_LENGTH);
  message.set(payload, PRELUDE_LENGTH + headerBlock.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

const CHUNK_HEADERS = encodeHeaders([
  [':event-type', 'chunk'],
  [':content-type', 'application/json'],
  [':message-type', 'event'],
]);

const PADDING_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.repeat(2);

/** Bedrock's length-obfuscation padding: a prefix of the alphabet (clients must ignore it). */
export function padding(length: number): string {
  return PADDING_ALPHABET.slice(0, Math.max(0, Math.min(length, PADDING_ALPHABET.length)));
}

/**
 * An InvokeModelWithResponseStream `chunk` event: the model's JSON, base64 in `bytes`, plus `p` padding.
 * `pad` undefined sends no `p` key (used by the byte-exact test vectors).
 */
export function encodeChunkEvent(modelJson: string, pad?: string): Buffer {
  const base64 = Buffer.from(modelJson, 'utf8').toString('base64');
  const payload = pad === undefined ? `{"bytes":"${base64}"}` : `{"bytes":"${base64}","p":"${pad}"}`;
  return encodeMessage(CHUNK_HEADERS, Buffer.from(payload, 'utf8'));
}

const converseHeaderCache = new Map<string, Buffer>();

/** A ConverseStream event: `:event-type` is the union member, the payload is its JSON (no base64). */
export function encodeConverseEvent(eventType: string, payloadJson: string): Buffer {
  let headers = converseHeaderCache.get(eventType);
  if (headers === undefined) {
    headers = encodeHeaders([
      [':event-type', eventType],
      [':content-type', 'application/json'],
      [':message-type', 'event'],
    ]);
    converseHeaderCache.set(eventType, headers);
  }
  return encodeMessage(headers, Buffer.from(payloadJson, 'utf8'));
}

/** A modelled mid-stream exception; `exceptionType` is the lowerCamel union member (`throttlingException`). */
export function encodeExceptionEvent(exceptionType: string, bodyJson: string): Buffer {
  const headers = encodeHeaders([
    [':message-type', 'exception'],
    [':exception-type', exceptionType],
    [':content-type', 'application/json'],
  ]);
  return encodeMessage(headers, Buffer.from(bodyJson, 'utf8'));
}

/** An unmodelled error frame (`:message-type: error`); the SDK throws it as a plain Error. */
export function encodeErrorFrame(errorCode: string, errorMessage: string): Buffer {
  const headers = encodeHeaders([
    [':message-type', 'error'],
    [':error-code', errorCode],
    [':error-message', errorMessage],
  ]);
  return encodeMessage(headers, Buffer.alloc(0));
}
