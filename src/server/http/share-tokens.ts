/**
 * Share tokens: the owner of a generation can let others watch it (GET .../events?share=<token>)
 * without giving them its API key. A token is an HMAC of the generation id under the server's secret,
 * so it needs no storage; servers sharing Redis must share the secret (`shareSecret`) too.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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
      const given = Buffer.from(token, 'base64url');
      const expected = sign(id);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
