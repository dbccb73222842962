import { describe, expect, it } from 'vitest';
import { countTokens, tokenize } from '../../../src/emulator/text/tokenizer.js';
import { NOVEL } from '../../../src/emulator/text/corpus.js';

describe('tokenizer', () => {
  it('splits words with their leading space and punctuation on its own', () => {
    expect(tokenize('Hello, world! It’s 3½ — café 😊.')).toEqual([
      'Hello',
      ',',
      ' world',
      '!',
      ' It’s',
      ' 3½',
      ' —',
      ' café',
      ' 😊',
      '.',
    ]);
  });

  it('keeps every character: tokens join back to the text', () => {
    for (const text of ['', '   ', ' a  b\n\nc ', NOVEL.slice(0, 3000), 'Zoë\t«très» 日本 ⛄️']) {
      expect(tokenize(text).join('')).toBe(text);
      expect(countTokens(text)).toBe(tokenize(text).length);
    }
  });

  it('counts the empty string as zero tokens and trailing whitespace as one', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('word  ')).toBe(2);
  });

  it('is additive at token boundaries', () => {
    const tokens = tokenize(NOVEL.slice(0, 2000));
    for (const cut of [1, 7, 50, tokens.length - 1]) {
      const head = tokens.slice(0, cut).join('');
      const tail = tokens.slice(cut).join('');
      expect(countTokens(head) + countTokens(tail)).toBe(tokens.length);
    }
  });
});
