/**
 * A lean reader of the AWS event-stream framing (bedrock-wire.md §2): frames may be split anywhere across
 * reads; both CRC-32s are checked; only the five headers the client needs are read. EventStreamDecoder
 * decodes a whole read synchronously into a FrameSink: an event frame wholly inside the read is handed on
 * as a byte range of it (no copy, no object per frame); only a frame that straddles reads is assembled.
 */
import { crc32Int } from './crc32.js';

export interface EventStreamMessage {
  messageType: string;
  eventType: string | undefined;
  exceptionType: string | undefined;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  payload: Uint8Array;
}

export type EventStreamFramingErrorKind = 'checksum' | 'truncated' | 'length';

export class EventStreamFramingError extends Error {
  override readonly name = 'EventStreamFramingError';
  readonly kind: EventStreamFramingErrorKind;

  constructor(kind: EventStreamFramingErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

const PRELUDE = 12;
const OVERHEAD = 16;
/** Bedrock caps a chunk at 1 MB of base64'd JSON; anything far beyond this is a corrupt length. */
const MAX_FRAME = 16 * 1024 * 1024;

const textDecoder = new TextDecoder();

// Header names we read, as bytes, so names are compared without decoding them.
const enc = new TextEncoder();
const H_MESSAGE_TYPE = enc.encode(':message-type');
const H_EVENT_TYPE = enc.encode(':event-type');
const H_EXCEPTION_TYPE = enc.encode(':exception-type');
const H_ERROR_CODE = enc.encode(':error-code');
const H_ERROR_MESSAGE = enc.encode(':error-message');

// Values seen on every frame are returned as interned strings, found by length then bytes: no string is
// built per frame for them.
const KNOWN_BY_LENGTH: { value: string; bytes: Uint8Array }[][] = [];
for (const value of [
  'event',
  'exception',
  'error',
  'chunk',
  'messageStart',
  'contentBlockStart',
  'contentBlockDelta',
  'contentBlockStop',
  'messageStop',
  'metadata',
  'internalServerException',
  'modelStreamErrorException',
  'validationException',
  'throttlingException',
  'modelTimeoutException',
  'serviceUnavailableException',
]) {
  (KNOWN_BY_LENGTH[value.length] ??= []).push({ value, bytes: enc.encode(value) });
}

/**
 * A big-endian 32-bit field as a signed int: checksums compare as int32 and lengths over 2^31 (impossible
 * here) come out negative, so no value is boxed as a heap number on the per-frame path.
 */
function readInt32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
}

function bytesEqual(bytes: Uint8Array, start: number, length: number, expected: Uint8Array): boolean {
  if (length !== expected.length) return false;
  for (let i = 0; i < length; i++) if (bytes[start + i] !== expected[i]) return false;
  return true;
}

function readString(bytes: Uint8Array, start: number, length: number): string {
  const candidates = KNOWN_BY_LENGTH[length];
  if (candidates !== undefined) {
    for (const known of candidates) if (bytesEqual(bytes, start, length, known.bytes)) return known.value;
  }
  return textDecoder.decode(view(bytes, start, length));
}

/** A plain Uint8Array view: cheaper than Buffer#subarray, which goes through Buffer's species constructor. */
function view(bytes: Uint8Array, start: number, length: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
}

function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

/** Checks the prelude (12 bytes at `offset`) and returns the frame's total length. */
function checkPrelude(bytes: Uint8Array, offset: number): number {
  const total = readInt32(bytes, offset);
  const expected = readInt32(bytes, offset + 8);
  const actual = crc32Int(bytes, offset, offset + 8);
  if (actual !== expected) {
    throw new EventStreamFramingError(
      'checksum',
      `Event stream prelude checksum mismatch (expected ${hex(expected)}, computed ${hex(actual)}): the response ` +
        'body is corrupted; retry the request.',
    );
  }
  const headersLength = readInt32(bytes, offset + 4);
  if (total < OVERHEAD || total > MAX_FRAME || headersLength < 0 || headersLength > total - OVERHEAD) {
    throw new EventStreamFramingError(
      'length',
      `Event stream frame has an impossible length (total ${total >>> 0} bytes, headers ${headersLength >>> 0} bytes): the ` +
        'response is not a valid event stream; retry the request.',
    );
  }
  return total;
}

/**
 * What the decoder hands each frame to. Event frames, the hot path, come as a byte range of the read (no
 * object, no view); anything else (exception, error, untyped frames) comes as a whole message.
 */
export interface FrameSink {
  /** An event frame: its `:event-type` and its payload at `bytes[start, end)`, valid during the call. */
  event(eventType: string | undefined, bytes: Uint8Array, start: number, end: number): void;
  message(message: EventStreamMessage): void;
}

/** Decodes the frame at [start, start + total) of `bytes` into the sink, its prelude already checked. */
function decodeFrame(bytes: Uint8Array, start: number, total: number, sink: FrameSink): void {
  const end = start + total;
  const expected = readInt32(bytes, end - 4);
  // The prelude's own CRC is what the first 8 bytes hash to, so the message CRC continues from it.
  const actual = crc32Int(bytes, start + 8, end - 4, readInt32(bytes, start + 8));
  if (actual !== expected) {
    throw new EventStreamFramingError(
      'checksum',
      `Event stream message checksum mismatch (expected ${hex(expected)}, computed ${hex(actual)}): the response ` +
        'body is corrupted; retry the request.',
    );
  }
  const headersEnd = start + PRELUDE + readInt32(bytes, start + 4);
  let messageType: string | undefined;
  let eventType: string | undefined;
  let exceptionType: string | undefined;
  let errorCode: string | undefined;
  let errorMessage: string | undefined;
  let p = start + PRELUDE;
  while (p < headersEnd) {
    const nameLength = bytes[p]!;
    const nameStart = p + 1;
    p = nameStart + nameLength;
    if (p >= headersEnd) throw badHeader('a header name runs past the header block');
    const type = bytes[p++]!;
    let valueStart = p;
    let valueLength: number;
    switch (type) {
      case 0:
      case 1:
        valueLength = 0;
        break;
      case 2:
        valueLength = 1;
        break;
      case 3:
        valueLength = 2;
        break;
      case 4:
        valueLength = 4;
        break;
      case 5:
      case 8:
        valueLength = 8;
        break;
      case 9:
        valueLength = 16;
        break;
      case 6:
      case 7:
        if (p + 2 > headersEnd) throw badHeader('a header value length runs past the header block');
        valueLength = (bytes[p]! << 8) | bytes[p + 1]!;
        valueStart = p + 2;
        break;
      default:
        throw badHeader(`unknown header value type ${type}`);
    }
    p = valueStart + valueLength;
    if (p > headersEnd) throw badHeader('a header value runs past the header block');
    if (type !== 7 || bytes[nameStart] !== 0x3a /* ':' */) continue;
    if (bytesEqual(bytes, nameStart, nameLength, H_MESSAGE_TYPE)) {
      messageType = readString(bytes, valueStart, valueLength);
    } else if (bytesEqual(bytes, nameStart, nameLength, H_EVENT_TYPE)) {
      eventType = readString(bytes, valueStart, valueLength);
    } else if (bytesEqual(bytes, nameStart, nameLength, H_EXCEPTION_TYPE)) {
      exceptionType = readString(bytes, valueStart, valueLength);
    } else if (bytesEqual(bytes, nameStart, nameLength, H_ERROR_CODE)) {
      errorCode = readString(bytes, valueStart, valueLength);
    } else if (bytesEqual(bytes, nameStart, nameLength, H_ERROR_MESSAGE)) {
      errorMessage = readString(bytes, valueStart, valueLength);
    }
  }
  if (messageType === 'event') {
    sink.event(eventType, bytes, headersEnd, end - 4);
    return;
  }
  // A frame without :message-type is valid framing; '' lets the caller report it as an unexpected message.
  sink.message({
    messageType: messageType ?? '',
    eventType,
    exceptionType,
    errorCode,
    errorMessage,
    payload: bytes.slice(headersEnd, end - 4),
  });
}

function badHeader(what: string): EventStreamFramingError {
  return new EventStreamFramingError(
    'length',
    `Event stream frame has malformed headers (${what}): the response is not a valid Bedrock event stream.`,
  );
}

function truncated(have: number, need: number): EventStreamFramingError {
  return new EventStreamFramingError(
    'truncated',
    `Event stream ended in the middle of a frame (${have} of ${need} bytes received): the connection was cut; ` +
      'retry the request.',
  );
}

/**
 * Incremental, synchronous decoding: `push` each read, then `end()` when the body ends. A frame that
 * straddles reads gathers its first 12 bytes in `head`, then the whole frame in its own buffer.
 */
export class EventStreamDecoder {
  /** Allocated on the first prelude split across reads (most streams never have one). */
  #head: Uint8Array | undefined;
  #headFilled = 0;
  #frame: Uint8Array | undefined;
  #frameFilled = 0;

  /**
   * Hands the frames completed by `read` to the sink, in order. On a framing error the frames before it
   * have been handed over when the error is thrown.
   */
  push(read: Uint8Array, sink: FrameSink): void {
    let pos = 0;
    const end = read.length;
    const head = this.#head;
    if (this.#headFilled > 0 && head !== undefined) {
      const n = Math.min(PRELUDE - this.#headFilled, end);
      head.set(view(read, 0, n), this.#headFilled);
      this.#headFilled += n;
      pos = n;
      if (this.#headFilled < PRELUDE) return;
      const frame = new Uint8Array(checkPrelude(head, 0));
      frame.set(head, 0);
      this.#frame = frame;
      this.#frameFilled = PRELUDE;
      this.#headFilled = 0;
    }
    const frame = this.#frame;
    if (frame !== undefined) {
      const n = Math.min(frame.length - this.#frameFilled, end - pos);
      frame.set(view(read, pos, n), this.#frameFilled);
      this.#frameFilled += n;
      pos += n;
      if (this.#frameFilled < frame.length) return;
      this.#frame = undefined;
      decodeFrame(frame, 0, frame.length, sink);
    }
    // Frames wholly inside this read are decoded in place.
    while (end - pos >= PRELUDE) {
      const total = checkPrelude(read, pos);
      if (end - pos < total) {
        const partial = new Uint8Array(total);
        partial.set(view(read, pos, end - pos), 0);
        this.#frame = partial;
        this.#frameFilled = end - pos;
        return;
      }
      decodeFrame(read, pos, total, sink);
      pos += total;
    }
    if (pos < end) {
      this.#head ??= new Uint8Array(PRELUDE);
      this.#head.set(view(read, pos, end - pos), 0);
      this.#headFilled = end - pos;
    }
  }

  /** The body ended: throws when it ended inside a frame. */
  end(): void {
    if (this.#frame !== undefined) throw truncated(this.#frameFilled, this.#frame.length);
    const filled = this.#headFilled;
    if (filled > 0) throw truncated(filled, filled >= 4 && this.#head ? readInt32(this.#head, 0) >>> 0 : PRELUDE);
  }
}

/** Collects the frames of one read as messages (payloads copied): for tools and tests, not the hot path. */
class MessageCollector implements FrameSink {
  readonly messages: EventStreamMessage[] = [];

  event(eventType: string | undefined, bytes: Uint8Array, start: number, end: number): void {
    this.messages.push({
      messageType: 'event',
      eventType,
      exceptionType: undefined,
      errorCode: undefined,
      errorMessage: undefined,
      payload: bytes.slice(start, end),
    });
  }

  message(message: EventStreamMessage): void {
    this.messages.push(message);
  }
}

/**
 * Yields each message of an event-stream body. Throws EventStreamFramingError on a bad checksum, an
 * impossible length, or a body that ends mid-frame, after the messages that came before the fault.
 */
export async function* decodeEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  const decoder = new EventStreamDecoder();
  for await (const read of body) {
    const collector = new MessageCollector();
    try {
      decoder.push(read, collector);
    } catch (error) {
      yield* collector.messages;
      throw error;
    }
    yield* collector.messages;
  }
  decoder.end();
}
