import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createRechunker, type Rechunker } from '../../src/client/chunking.js';

function run(rechunker: Rechunker, deltas: string[]): string[] {
  const out: string[] = [];
  for (const delta of deltas) {
    const released = rechunker.push(delta);
    if (released !== undefined) out.push(released);
  }
  const rest = rechunker.flush();
  if (rest !== undefined) out.push(rest);
  return out;
}

describe('createRechunker', () => {
  it('passes through for none', () => {
    expect(createRechunker('none')).toBeUndefined();
    expect(createRechunker(undefined)).toBeUndefined();
  });

  it('releases whole words, never splitting one, and loses nothing', () => {
    const deltas = ['He', 'llo wo', 'rld, how', ' are', ' y', 'ou?'];
    const out = run(createRechunker('word')!, deltas);
    expect(out).toEqual(['Hello ', 'world, ', 'how ', 'are ', 'you?']);
    expect(out.join('')).toBe(deltas.join(''));
  });

  it('releases whole sentences, including a terminator split from its space', () => {
    const deltas = ['One. Tw', 'o is 3.1', '4 long!', ' Three?', '\nFour', ' 終わり。次'];
    const out = run(createRechunker('sentence')!, deltas);
    expect(out).toEqual(['One. ', 'Two is 3.14 long! ', 'Three?\n', 'Four 終わり。', '次']);
    expect(out.join('')).toBe(deltas.join(''));
  });

  it('releases whole lines', () => {
    const out = run(createRechunker('line')!, ['a', 'b\nc', 'd\n\ne', 'f']);
    expect(out).toEqual(['ab\n', 'cd\n\n', 'ef']);
  });

  it('releases at most once per interval (clock injected)', () => {
    let now = 0;
    const rechunker = createRechunker({ intervalMs: 100 }, () => now)!;
    expect(rechunker.push('a')).toBe('a');
    now = 50;
    expect(rechunker.push('b')).toBeUndefined();
    now = 99;
    expect(rechunker.push('c')).toBeUndefined();
    now = 150;
    expect(rechunker.push('d')).toBe('bcd');
    now = 160;
    expect(rechunker.push('e')).toBeUndefined();
    expect(rechunker.flush()).toBe('e');
    expect(rechunker.flush()).toBeUndefined();
  });

  it('rejects an unknown mode', () => {
    expect(() => createRechunker('paragraph' as 'word')).toThrow(ValidationError);
  });
});
