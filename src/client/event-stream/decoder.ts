/**
 * A lean reader of the AWS event-stream framing (bedrock-wire.md §2): frames may be split anywhere across
 * reads; both CRC-32s are checked; only the five headers the client needs are read. Whole frames inside a
 * read are handed on as subarray views (no copy); only a frame that straddles reads is assembled.
 */
import { crc32 } from 'node:zlib';

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

// Values seen on every frame are returned as interned strings: no string is built per frame for them.
const KNOWN_VALUES = [
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
].map((value) => ({ value, bytes: enc.encode(value) }));

function readUint32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

function bytesEqual(bytes: Uint8Array, start: number, length: number, expected: Uint8Array): boolean {
  if (length !== expected.length) return false;
  for (let i = 0; i < length; i++) if (bytes[start + i] !== expected[i]) return false;
  return true;
}

function readString(bytes: Uint8Array, start: number, length: number): string {
  for (const known of KNOWN_VALUES) {
    if (bytesEqual(bytes, start, length, known.bytes)) return known.value;
  }
  return textDecoder.decode(bytes.subarray(start, start + length));
}

function hex(value: number): string {
  return '0x' + value.toString(16).padStart(8, '0');
}

/** Checks the prelude (first 12 bytes at `offset`) and returns the frame's total length. */
function checkPrelude(bytes: Uint8Array, offset: number): number {
  const total = readUint32(bytes, offset);
  const expected = readUint32(bytes, offset + 8);
  const actual = crc32(bytes.subarray(offset, offset + 8));
  if (actual !== expected) {
    throw new EventStreamFramingError(
      'checksum',
      `Event stream prelude checksum mismatch (expected ${hex(expected)}, computed ${hex(actual)}): the response ` +
        'body is corrupted; retry the request.',
    );
  }
  const headersLength = readUint32(bytes, offset + 4);
  if (total < OVERHEAD || total > MAX_FRAME || headersLength > total - OVERHEAD) {
    throw new EventStreamFramingError(
      'length',
      `Event stream frame has an impossible length (total ${total} bytes, headers ${headersLength} bytes): the ` +
        'response is not a valid event stream; retry the request.',
    );
  }
  return total;
}

/** Decodes one complete frame (`frame` is exactly one message). */
function decodeFrame(frame: Uint8Array): EventStreamMessage {
  const total = frame.length;
  const expected = readUint32(frame, total - 4);
  const actual = crc32(frame.subarray(0, total - 4));
  if (actual !== expected) {
    throw new EventStreamFramingError(
      'checksum',
      `Event stream message checksum mismatch (expected ${hex(expected)}, computed ${hex(actual)}): the response ` +
        'body is corrupted; retry the request.',
    );
  }
  const headersEnd = PRELUDE + readUint32(frame, 4);
  let messageType: string | undefined;
  let eventType: string | undefined;
  let exceptionType: string | undefined;
  let errorCode: string | undefined;
  let errorMessage: string | undefined;
  let p = PRELUDE;
  while (p < headersEnd) {
    const nameLength = frame[p]!;
    const nameStart = p + 1;
    p = nameStart + nameLength;
    if (p >= headersEnd) throw badHeader('a header name runs past the header block');
    const type = frame[p++]!;
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
        valueLength = (frame[p]! << 8) | frame[p + 1]!;
        valueStart = p + 2;
        break;
      default:
        throw badHeader(`unknown header value type ${type}`);
    }
    p = valueStart + valueLength;
    if (p > headersEnd) throw badHeader('a header value runs past the header block');
    if (type !== 7 || frame[nameStart] !== 0x3a /* ':' */) continue;
    if (bytesEqual(frame, nameStart, nameLength, H_MESSAGE_TYPE)) {
      messageType = readString(frame, valueStart, valueLength);
    } else if (bytesEqual(frame, nameStart, nameLength, H_EVENT_TYPE)) {
      eventType = readString(frame, valueStart, valueLength);
    } else if (bytesEqual(frame, nameStart, nameLength, H_EXCEPTION_TYPE)) {
      exceptionType = readString(frame, valueStart, valueLength);
    } else if (bytesEqual(frame, nameStart, nameLength, H_ERROR_CODE)) {
      errorCode = readString(frame, valueStart, valueLength);
    } else if (bytesEqual(frame, nameStart, nameLength, H_ERROR_MESSAGE)) {
      errorMessage = readString(frame, valueStart, valueLength);
    }
  }
  // A frame without :message-type is valid framing; '' lets the caller report it as an unexpected message.
  return {
    messageType: messageType ?? '',
    eventType,
    exceptionType,
    errorCode,
    errorMessage,
    payload: frame.subarray(headersEnd, total - 4),
  };
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
 * Yields each message of an event-stream body. Throws EventStreamFramingError on a bad checksum, an
 * impossible length, or a body that ends mid-frame.
 */
export async function* decodeEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  // A frame that straddles reads: its first 12 bytes gather in `head`, then the whole frame in `frame`.
  const head = new Uint8Array(PRELUDE);
  let headFilled = 0;
  let frame: Uint8Array | undefined;
  let frameFilled = 0;

  for await (const read of body) {
    let pos = 0;
    const end = read.length;

    if (headFilled > 0) {
      const n = Math.min(PRELUDE - headFilled, end);
      head.set(read.subarray(0, n), headFilled);
      headFilled += n;
      pos = n;
      if (headFilled < PRELUDE) continue;
      frame = new Uint8Array(checkPrelude(head, 0));
      frame.set(head, 0);
      frameFilled = PRELUDE;
      headFilled = 0;
    }
    if (frame !== undefined) {
      const n = Math.min(frame.length - frameFilled, end - pos);
      frame.set(read.subarray(pos, pos + n), frameFilled);
      frameFilled += n;
      pos += n;
      if (frameFilled < frame.length) continue;
      const whole = frame;
      frame = undefined;
      yield decodeFrame(whole);
    }

    // Fast path: frames wholly inside this read are decoded in place.
    while (end - pos >= PRELUDE) {
      const total = checkPrelude(read, pos);
      if (end - pos < total) {
        frame = new Uint8Array(total);
        frame.set(read.subarray(pos, end), 0);
        frameFilled = end - pos;
        pos = end;
        break;
      }
      const message = decodeFrame(read.subarray(pos, pos + total));
      pos += total;
      yield message;
    }
    if (pos < end) {
      head.set(read.subarray(pos, end), 0);
      headFilled = end - pos;
    }
  }

  if (frame !== undefined) throw truncated(frameFilled, frame.length);
  if (headFilled > 0) throw truncated(headFilled, headFilled >= 4 ? readUint32(head, 0) : PRELUDE);
}
