import { describe, expect, it } from 'vitest';
import { DeltaWriter, type DeltaKind } from '../../../src/server/generations/delta-writer.js';

/** A write function whose calls wait until the test releases them. */
function heldWrites() {
  const writes: [DeltaKind, string][] = [];
  const releases: (() => void)[] = [];
  const write = (kind: DeltaKind, delta: string) =>
    new Promise<void>((resolve) => {
      writes.push([kind, delta]);
      releases.push(resolve);
    });
  const releaseAll = async () => {
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { writes, write, releaseAll };
}

describe('DeltaWriter', () => {
  it('merges deltas that arrive while a write is in flight, in order', async () => {
    const { writes, write, releaseAll } = heldWrites();
    const writer = new DeltaWriter(write);
    for (const delta of ['a', 'b', 'c', 'd']) expect(writer.push('text', delta)).toBeUndefined();
    const flushed = writer.flush();
    await releaseAll();
    await flushed;
    expect(writes).toEqual([
      ['text', 'a'],
      ['text', 'bcd'],
    ]);
  });

  it('never merges text with reasoning: a change of kind waits for what is queued', async () => {
    const { writes, write, releaseAll } = heldWrites();
    const writer = new DeltaWriter(write);
    writer.push('reasoning', 'r1');
    writer.push('reasoning', 'r2');
    const waiting = writer.push('text', 't1');
    expect(waiting).toBeInstanceOf(Promise);
    await releaseAll();
    await waiting;
    writer.push('text', 't2');
    const flushed = writer.flush();
    await releaseAll();
    await flushed;
    expect(writes).toEqual([
      ['reasoning', 'r1'],
      ['reasoning', 'r2'],
      ['text', 't1'],
      ['text', 't2'],
    ]);
  });

  it('a failed write fails flush() and the next push', async () => {
    const writer = new DeltaWriter(() => Promise.reject(new Error('registry down')));
    writer.push('text', 'a');
    await expect(writer.flush()).rejects.toThrow('registry down');
    expect(() => writer.push('text', 'b')).toThrow('registry down');
  });
});
