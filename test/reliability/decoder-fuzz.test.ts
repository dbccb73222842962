/**
 * Fuzzing the client's event-stream decoder (issue 14, suite part 3), seeded and reproducible:
 * random frames encoded by an independent codec (@smithy/eventstream-codec), split at random points,
 * then truncated or with one byte flipped. The decoder must give back exactly the frames, or the
 * frames before the damage and then an EventStreamFramingError: never a hang, a crash, a wrong frame.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEventStream, EventStreamFramingError } from '../../src/client/event-stream/decoder.js';
import { encodeFrame } from '../client/event-stream/frames.js';

const SEED = 1414;

const frameArb = fc.record({
  eventType: fc.constantFrom('chunk', 'messageStart', 'contentBlockDelta', 'messageStop'),
  payload: fc.uint8Array({ maxLength: 300 }),
});

interface Frame {
  eventType: string;
  payload: Uint8Array;
}

function encode(frames: Frame[]): { bytes: Buffer; ends: number[] } {
  const parts = frames.map((frame) =>
    encodeFrame(
      { ':message-type': 'event', ':event-type': frame.eventType, ':content-type': 'application/json' },
      frame.payload,
    ),
  );
  const ends: number[] = [];
  let at = 0;
  for (const part of parts) ends.push((at += part.length));
  return { bytes: Buffer.concat(parts), ends };
}

/** The bytes as reads split at the given cut points. */
async function* reads(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    if (cut > from) yield bytes.subarray(from, cut);
    from = Math.max(from, cut);
  }
  if (from < bytes.length) yield bytes.subarray(from);
}

async function decode(body: AsyncIterable<Uint8Array>): Promise<{ frames: Frame[]; error?: unknown }> {
  const frames: Frame[] = [];
  try {
    for await (const message of decodeEventStream(body)) {
      frames.push({ eventType: message.eventType ?? '', payload: message.payload.slice() });
    }
    return { frames };
  } catch (error) {
    return { frames, error };
  }
}

const same = (a: Frame, b: Frame) =>
  a.eventType === b.eventType && Buffer.from(a.payload).equals(Buffer.from(b.payload));

describe('event-stream decoder under random, split, truncated and corrupted bodies', () => {
  it('decodes any split of valid frames exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(frameArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (frames, cuts) => {
          const { bytes } = encode(frames);
          const result = await decode(reads(bytes, cuts));
          expect(result.error).toBeUndefined();
          expect(result.frames.length).toBe(frames.length);
          result.frames.forEach((frame, i) => expect(same(frame, frames[i]!)).toBe(true));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a truncated body gives the whole frames before the cut, then a framing error (none at a boundary)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(frameArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (frames, at, cuts) => {
          const { bytes, ends } = encode(frames);
          const length = at % bytes.length;
          const result = await decode(reads(bytes.subarray(0, length), cuts));
          const whole = ends.filter((end) => end <= length).length;
          expect(result.frames.length).toBe(whole);
          result.frames.forEach((frame, i) => expect(same(frame, frames[i]!)).toBe(true));
          if (ends.includes(length) || length === 0) expect(result.error).toBeUndefined();
          else expect(result.error).toBeInstanceOf(EventStreamFramingError);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('one flipped byte is always caught: the frames before it, then a framing error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(frameArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (frames, at, xor, cuts) => {
          const { bytes, ends } = encode(frames);
          const index = at % bytes.length;
          const damaged = Buffer.from(bytes);
          damaged[index]! ^= xor;
          const result = await decode(reads(damaged, cuts));
          expect(result.error).toBeInstanceOf(EventStreamFramingError);
          const before = ends.filter((end) => end <= index).length;
          expect(result.frames.length).toBe(before);
          result.frames.forEach((frame, i) => expect(same(frame, frames[i]!)).toBe(true));
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('random bytes never crash or hang it: frames or a framing error, nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2_000 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (bytes, cuts) => {
          const result = await decode(reads(bytes, cuts));
          if (result.error !== undefined) expect(result.error).toBeInstanceOf(EventStreamFramingError);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });
});
