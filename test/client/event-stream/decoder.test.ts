import { EventStreamCodec, Int64 } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { decodeEventStream, EventStreamFramingError } from '../../../src/client/event-stream/decoder.js';
import type { EventStreamMessage } from '../../../src/client/event-stream/decoder.js';
import { chunkFrame, concat, converseFrame, encodeFrame, exceptionFrame, hex, reads, readsAt } from './frames.js';

async function collect(body: AsyncIterable<Uint8Array>): Promise<EventStreamMessage[]> {
  const out: EventStreamMessage[] = [];
  for await (const message of decodeEventStream(body)) out.push({ ...message, payload: message.payload.slice() });
  return out;
}

async function failure(body: AsyncIterable<Uint8Array>): Promise<EventStreamFramingError> {
  try {
    await collect(body);
  } catch (error) {
    expect(error).toBeInstanceOf(EventStreamFramingError);
    return error as EventStreamFramingError;
  }
  throw new Error('expected the decoder to throw');
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('decodeEventStream: bedrock-wire.md §2.6 test vectors', () => {
  it('decodes the empty message (no headers, so messageType is empty)', async () => {
    const [message] = await collect(reads(hex('00000010 00000000 05c248eb 7d98c8ff'), 100));
    expect(message?.messageType).toBe('');
    expect(message?.payload.length).toBe(0);
  });

  it('decodes the {"foo": "bar"} payload vector', async () => {
    const bytes = hex('0000001e 00000000 baf2f68a 7b22666f6f223a2022626172227d ae7258e4');
    const [message] = await collect(reads(bytes, 100));
    expect(text(message!.payload)).toBe('{"foo": "bar"}');
  });

  it('decodes the composed chunk frame', async () => {
    const bytes = hex(
      '000000870000004b87ea2bf3 0b3a6576656e742d747970650700056368756e6b 0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e 0d3a6d6573736167652d747970650700056576656e74 7b226279746573223a2265794a306558426c496a6f696257567a6332466e5a56397a64473977496e303d227d ba48ab22',
    );
    expect(bytes.length).toBe(135);
    const [message] = await collect(reads(bytes, 1000));
    expect(message).toMatchObject({ messageType: 'event', eventType: 'chunk', exceptionType: undefined });
    const outer = JSON.parse(text(message!.payload)) as { bytes: string };
    expect(Buffer.from(outer.bytes, 'base64').toString()).toBe('{"type":"message_stop"}');
  });

  it('decodes the composed throttlingException frame', async () => {
    const bytes = hex(
      '000000b2000000613590d5d3 0d3a6d6573736167652d74797065070009657863657074696f6e 0f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e 0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e 7b226d657373616765223a22546f6f206d616e792072657175657374732c20706c656173652077616974206265666f726520747279696e6720616761696e2e227d 1d4f6dc6',
    );
    const [message] = await collect(reads(bytes, 1000));
    expect(message).toMatchObject({ messageType: 'exception', exceptionType: 'throttlingException' });
    expect(JSON.parse(text(message!.payload))).toEqual({
      message: 'Too many requests, please wait before trying again.',
    });
  });
});

describe('decodeEventStream: frames from @smithy/eventstream-codec', () => {
  const frames = [
    chunkFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }),
    converseFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'héllo 世界 🎉' } }),
    encodeFrame({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'boom' }, ''),
    exceptionFrame('modelStreamErrorException', { message: 'bad', originalStatusCode: 500 }),
  ];
  const all = concat(frames);

  function check(messages: EventStreamMessage[]): void {
    expect(messages.map((m) => [m.messageType, m.eventType, m.exceptionType, m.errorCode, m.errorMessage])).toEqual([
      ['event', 'chunk', undefined, undefined, undefined],
      ['event', 'contentBlockDelta', undefined, undefined, undefined],
      ['error', undefined, undefined, 'InternalFailure', 'boom'],
      ['exception', undefined, 'modelStreamErrorException', undefined, undefined],
    ]);
    expect(JSON.parse(text(messages[1]!.payload))).toEqual({
      contentBlockIndex: 0,
      delta: { text: 'héllo 世界 🎉' },
    });
  }

  it('decodes frames in one read, as views into the read (no copy)', async () => {
    const views: Uint8Array[] = [];
    for await (const message of decodeEventStream(reads(all, all.length))) views.push(message.payload);
    expect(views.every((payload) => payload.buffer === all.buffer)).toBe(true);
    check(await collect(reads(all, all.length)));
  });

  it('decodes 1-byte reads', async () => {
    check(await collect(reads(all, 1)));
  });

  it('decodes the body split at every single point (multi-byte UTF-8 split included)', async () => {
    for (let cut = 1; cut < all.length; cut++) check(await collect(readsAt(all, [cut])));
  });

  it('decodes the body split at every pair of points inside a frame and its neighbour', async () => {
    const start = frames[0]!.length - 20;
    for (let a = start; a < start + 40; a++) {
      for (let b = a + 1; b < start + 60; b++) check(await collect(readsAt(all, [a, b])));
    }
  });

  it('skips every other header type correctly (§2.2)', async () => {
    const codec = new EventStreamCodec(toUtf8, fromUtf8);
    const bytes = codec.encode({
      headers: {
        ':date': { type: 'timestamp', value: new Date(1_700_000_000_000) },
        flag: { type: 'boolean', value: true },
        off: { type: 'boolean', value: false },
        b: { type: 'byte', value: 7 },
        s: { type: 'short', value: 300 },
        i: { type: 'integer', value: 70_000 },
        l: { type: 'long', value: Int64.fromNumber(5_000_000_000) },
        bin: { type: 'binary', value: new Uint8Array([1, 2, 3]) },
        id: { type: 'uuid', value: '6ec1c0b1-1a1d-4e1b-9c0f-0d6b3c0e1f2a' },
        ':message-type': { type: 'string', value: 'event' },
        ':event-type': { type: 'string', value: 'someFutureEvent' },
      },
      body: fromUtf8('{}'),
    });
    const [message] = await collect(reads(bytes, 7));
    expect(message).toMatchObject({ messageType: 'event', eventType: 'someFutureEvent' });
  });

  it('ends cleanly on an empty body', async () => {
    expect(await collect(reads(new Uint8Array(0), 1))).toEqual([]);
  });
});

describe('decodeEventStream: framing errors', () => {
  const good = concat([chunkFrame({ type: 'message_start' }), chunkFrame({ type: 'message_stop' })]);
  const second = good.length / 2;

  it('rejects a bad prelude CRC (kind checksum)', async () => {
    const bad = Buffer.from(good);
    bad[second + 9] = bad[second + 9]! ^ 0xff;
    const error = await failure(reads(bad, 5));
    expect(error.kind).toBe('checksum');
    expect(error.message).toMatch(/prelude checksum mismatch/);
  });

  it('rejects a bad message CRC after yielding the earlier frames', async () => {
    const bad = Buffer.from(good);
    bad[bad.length - 30] = bad[bad.length - 30]! ^ 0x01;
    const seen: string[] = [];
    await expect(async () => {
      for await (const message of decodeEventStream(reads(bad, 64))) seen.push(message.eventType ?? '');
    }).rejects.toMatchObject({ kind: 'checksum', message: expect.stringMatching(/message checksum mismatch/) });
    expect(seen).toEqual(['chunk']);
  });

  it('rejects EOF in the middle of a frame body (kind truncated)', async () => {
    const error = await failure(reads(good.subarray(0, good.length - 10), 16));
    expect(error.kind).toBe('truncated');
    expect(error.message).toMatch(/ended in the middle of a frame/);
  });

  it('rejects EOF in the middle of a prelude (kind truncated)', async () => {
    expect((await failure(reads(good.subarray(0, second + 3), 1000))).kind).toBe('truncated');
    expect((await failure(reads(good.subarray(0, second + 9), 4))).kind).toBe('truncated');
  });

  it('rejects an impossible length (kind length) even with a valid prelude CRC', async () => {
    const bad = Buffer.from(hex('00000008 00000000 00000000'));
    bad.writeUInt32BE((await import('node:zlib')).crc32(bad.subarray(0, 8)), 8);
    expect((await failure(reads(bad, 100))).kind).toBe('length');
  });
});
