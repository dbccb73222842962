/**
 * The batch side of the decoder (one array of messages per read) and the byte-range CRC-32 it uses,
 * against zlib and against frames encoded by @smithy/eventstream-codec.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/client/event-stream/crc32.js';
import {
  decodeEventStreamBatches,
  EventStreamDecoder,
  type EventStreamMessage,
} from '../../../src/client/event-stream/decoder.js';
import { chunkFrame, concat, reads } from './frames.js';

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

describe('EventStreamDecoder / decodeEventStreamBatches', () => {
  const frames = [1, 2, 3, 4, 5].map((n) => chunkFrame({ type: 'content_block_delta', n }));
  const all = concat(frames);

  it('hands every frame a read completes over in one batch, in order', () => {
    const decoder = new EventStreamDecoder();
    const out: EventStreamMessage[] = [];
    // The first read ends inside the third frame: two messages now, three with the rest.
    const cut = frames[0]!.length + frames[1]!.length + 10;
    decoder.push(all.subarray(0, cut), out);
    expect(out).toHaveLength(2);
    decoder.push(all.subarray(cut), out);
    expect(out).toHaveLength(5);
    expect(out.map((m) => m.eventType)).toEqual(['chunk', 'chunk', 'chunk', 'chunk', 'chunk']);
    decoder.end();
  });

  it('yields one batch per read and reports a bad CRC after the frames before it', async () => {
    const bad = Buffer.from(all);
    const third = frames[0]!.length + frames[1]!.length;
    bad[third + 20] = bad[third + 20]! ^ 0x01;
    const sizes: number[] = [];
    await expect(async () => {
      for await (const batch of decodeEventStreamBatches(reads(bad, bad.length))) sizes.push(batch.length);
    }).rejects.toMatchObject({ kind: 'checksum' });
    expect(sizes).toEqual([2]);
  });

  it('runs settle once at the end: undefined on success, the error (replaceable) on failure', async () => {
    const settled: unknown[] = [];
    let count = 0;
    for await (const batch of decodeEventStreamBatches(reads(all, 7), (error) => settled.push(error))) {
      count += batch.length;
    }
    expect(count).toBe(5);
    expect(settled).toEqual([undefined]);

    const replaced = new Error('replaced');
    const truncated = decodeEventStreamBatches(reads(all.subarray(0, all.length - 3), 64), () => replaced);
    await expect(async () => {
      for await (const batch of truncated) void batch;
    }).rejects.toBe(replaced);
  });

  it('runs settle when the consumer stops early', async () => {
    const settled: unknown[] = [];
    for await (const batch of decodeEventStreamBatches(reads(all, 40), (error) => settled.push(error))) {
      void batch;
      break;
    }
    expect(settled).toEqual([undefined]);
  });
});
