/**
 * The read side under the client: EventStreamDecoder handing frames to a sink, the byte-range CRC-32 it
 * uses (against zlib), and BodyReader on a real node Readable: decode as reads arrive, errors after the
 * frames before them, premature close, pause/resume for a slow consumer. Frames are encoded by
 * @smithy/eventstream-codec.
 */
import { PassThrough } from 'node:stream';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BodyReader, HIGH_WATER_STEPS, type PumpSink } from '../../../src/client/event-stream/body-reader.js';
import { decodeChunkPayload } from '../../../src/client/event-stream/chunk-payload.js';
import { crc32 } from '../../../src/client/event-stream/crc32.js';
import { EventStreamDecoder, type EventStreamMessage } from '../../../src/client/event-stream/decoder.js';
import { chunkFrame, concat, exceptionFrame } from './frames.js';

describe('crc32 over a byte range', () => {
  const bytes = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 31 + 7) & 255));

  it('equals zlib for every range length up to 300 bytes, and continues from an earlier CRC', () => {
    for (let end = 0; end <= 300; end++) {
      expect(crc32(bytes, 5, 5 + end)).toBe(zlibCrc32(bytes.subarray(5, 5 + end)));
      const middle = 5 + (end >> 1);
      expect(crc32(bytes, middle, 5 + end, crc32(bytes, 5, middle))).toBe(zlibCrc32(bytes.subarray(5, 5 + end)));
    }
  });
});

/** Collects what the decoder hands over; `taken` plays the consumer. */
class CollectingSink implements PumpSink {
  readonly chunks: unknown[] = [];
  readonly messages: EventStreamMessage[] = [];
  taken = 0;

  get pending(): number {
    return this.chunks.length - this.taken;
  }

  event(eventType: string | undefined, bytes: Uint8Array, start: number, end: number): void {
    expect(eventType).toBe('chunk');
    this.chunks.push(decodeChunkPayload(bytes, start, end));
  }

  message(message: EventStreamMessage): void {
    this.messages.push(message);
  }
}

const frames = [1, 2, 3, 4, 5].map((n) => chunkFrame({ type: 'content_block_delta', n }));
const all = concat(frames);
const inner = [1, 2, 3, 4, 5].map((n) => ({ type: 'content_block_delta', n }));

describe('EventStreamDecoder', () => {
  it('hands every frame a read completes to the sink, in order, frames split across reads', () => {
    const decoder = new EventStreamDecoder();
    const sink = new CollectingSink();
    // The first read ends inside the third frame: two frames now, three with the rest.
    const cut = frames[0]!.length + frames[1]!.length + 10;
    decoder.push(all.subarray(0, cut), sink);
    expect(sink.chunks).toHaveLength(2);
    decoder.push(all.subarray(cut), sink);
    expect(sink.chunks).toEqual(inner);
    decoder.end();
  });

  it('hands non-event frames over whole, with their headers and a copied payload', () => {
    const decoder = new EventStreamDecoder();
    const sink = new CollectingSink();
    decoder.push(concat([frames[0]!, exceptionFrame('throttlingException', { message: 'slow down' })]), sink);
    expect(sink.chunks).toHaveLength(1);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0]).toMatchObject({ messageType: 'exception', exceptionType: 'throttlingException' });
    expect(JSON.parse(Buffer.from(sink.messages[0]!.payload).toString('utf8'))).toEqual({ message: 'slow down' });
  });
});

async function readAll(reader: BodyReader): Promise<void> {
  while (!reader.ended && reader.error === undefined) await reader.wait();
}

describe('BodyReader', () => {
  it('decodes each read as it arrives and ends with the body', async () => {
    const body = new PassThrough();
    const sink = new CollectingSink();
    const reader = new BodyReader(body, sink);
    for (let i = 0; i < all.length; i += 37) body.write(all.subarray(i, i + 37));
    body.end();
    await readAll(reader);
    expect(reader.ended).toBe(true);
    expect(reader.error).toBeUndefined();
    expect(sink.chunks).toEqual(inner);
  });

  it('reports a bad CRC after the frames before it, and closes the body', async () => {
    const bad = Buffer.from(all);
    const third = frames[0]!.length + frames[1]!.length;
    bad[third + 20] = bad[third + 20]! ^ 0x01;
    const body = new PassThrough();
    const sink = new CollectingSink();
    const reader = new BodyReader(body, sink);
    body.write(bad);
    await readAll(reader);
    expect(sink.chunks).toEqual(inner.slice(0, 2));
    expect(reader.error).toMatchObject({ name: 'EventStreamFramingError', kind: 'checksum' });
    expect(body.destroyed).toBe(true);
  });

  it('a body that ends inside a frame is truncated; one closed before its end is a premature close', async () => {
    const cut = new PassThrough();
    const cutReader = new BodyReader(cut, new CollectingSink());
    cut.end(all.subarray(0, all.length - 3));
    await readAll(cutReader);
    expect(cutReader.error).toMatchObject({ name: 'EventStreamFramingError', kind: 'truncated' });

    const dropped = new PassThrough();
    const droppedSink = new CollectingSink();
    const droppedReader = new BodyReader(dropped, droppedSink);
    dropped.write(frames[0]);
    // wait() resolves at the next event: check first, as the client's reader does.
    while (droppedSink.chunks.length === 0) await droppedReader.wait();
    dropped.destroy();
    await readAll(droppedReader);
    expect(droppedSink.chunks).toHaveLength(1);
    expect(droppedReader.error).toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  it('an error on the body is what the read ends with', async () => {
    const body = new PassThrough();
    const reader = new BodyReader(body, new CollectingSink());
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    body.destroy(reset);
    await readAll(reader);
    expect(reader.error).toBe(reset);
  });

  it('pauses the body while the consumer is behind and resumes it on the next wait', async () => {
    const body = new PassThrough();
    const sink = new CollectingSink();
    const reader = new BodyReader(body, sink);
    const many = concat(Array.from({ length: HIGH_WATER_STEPS + 50 }, (_, n) => chunkFrame({ n })));
    body.write(many);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.pending).toBeGreaterThan(HIGH_WATER_STEPS);
    expect(body.isPaused()).toBe(true);
    // The consumer catches up, then waits: reading resumes.
    sink.taken = sink.chunks.length;
    const next = reader.wait();
    expect(body.isPaused()).toBe(false);
    body.write(frames[0]);
    await next;
    expect(sink.pending).toBe(1);
    reader.close();
    expect(body.destroyed).toBe(true);
  });

  it('abort() ends a waiting read with the reason and destroys the body', async () => {
    const body = new PassThrough();
    const reader = new BodyReader(body, new CollectingSink());
    const waiting = reader.wait();
    const reason = new Error('stop');
    reader.abort(reason);
    await waiting;
    expect(reader.error).toBe(reason);
    expect(body.destroyed).toBe(true);
  });
});
