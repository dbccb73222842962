/**
 * Share tokens: the owner of a generation can let others watch it (GET .../events?share=<token>)
 * without giving them its API key. A token is an HMAC of the generation id under the server's secret,
 * so it needs no storage; servers sharing Redis must share the secret (`shareSecret`) too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A SHA-256 HMAC in unpadded base64url: 43 characters, the last one carrying 2 bits (A, E, I, ... w). */
const CANONICAL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

export interface ShareTokens {
  create(generationId: string): string;
  verify(generationId: string, token: string): boolean;
}

export function createShareTokens(secret: string | undefined): ShareTokens {
  const key = secret === undefined || secret === '' ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const sign = (id: string) => createHmac('sha256', key).update(id, 'utf8').digest();
  return {
    create: (id) => sign(id).toString('base64url'),
    verify(id, token) {
      // One canonical form: exactly the 43 unpadded base64url characters create() makes. Node's decoder
      // would also take '+/', '=' padding and trailing junk, so the text itself is checked first.
      if (!CANONICAL.test(token)) return false;
      const given = Buffer.from(token, 'base64url');
      const expected = sign(id);
      return (
        given.length === expected.length && given.toString('base64url') === token && timingSafeEqual(given, expected)
      );
    },
  };
}
