/**
 * Share tokens have one canonical form (issue 14, defect 5): Node's base64url decoder also takes
 * `+/`, `=` padding and trailing junk, which made several spellings of one token verify.
 */
import { describe, expect, it } from 'vitest';
import { createShareTokens } from '../../../src/server/http/share-tokens.js';

describe('share tokens', () => {
  const tokens = createShareTokens('a fixed secret for this test');
  const id = 'M611RI3UVDUzTg_e2O2rCw';

  it('verifies the token create() made, for its generation only', () => {
    const token = tokens.create(id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(id, token)).toBe(true);
    expect(tokens.verify('another-generation-id', token)).toBe(false);
  });

  it('refuses every other spelling of the same bytes', () => {
    // Search a few ids for a token containing both - and _, so the +/ spelling differs.
    let candidate = id;
    let token = tokens.create(candidate);
    for (let i = 0; !(token.includes('-') || token.includes('_')); i++) {
      candidate = `${id}${i}`;
      token = tokens.create(candidate);
    }
    const variants = [
      token.replaceAll('-', '+').replaceAll('_', '/'),
      `${token}=`,
      `${token}==`,
      `${token}\u0000`,
      `${token} `,
      ` ${token}`,
      `${token}A`,
      token.slice(0, -1),
      `${token.slice(0, -1)}${String.fromCharCode(token.charCodeAt(42) + 1)}`,
    ];
    for (const variant of variants) expect(tokens.verify(candidate, variant), JSON.stringify(variant)).toBe(false);
    expect(tokens.verify(candidate, token)).toBe(true);
  });
});
