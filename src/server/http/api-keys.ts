/**
 * Optional API keys: `Authorization: Bearer <key>`, compared in constant time on SHA-256 hashes (so
 * lengths leak nothing either). The key's hash is the owner id of the generations it starts; the key
 * itself is never stored or logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface ApiKeyCheck {
  readonly enabled: boolean;
  /** The caller's key hash, null when keys are off; throws 401 for a missing or wrong key. */
  authenticate(req: IncomingMessage): string | null;
}

export function createApiKeyCheck(keys: readonly string[] | undefined): ApiKeyCheck {
  const hashes = (keys ?? []).filter((key) => key !== '').map((key) => createHash('sha256').update(key).digest());
  if (hashes.length === 0) return { enabled: false, authenticate: () => null };
  return {
    enabled: true,
    authenticate(req) {
      const header = req.headers.authorization;
      const match = header === undefined ? null : /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
      if (match === null) {
        throw new HttpError(401, 'unauthorized', 'This server needs an API key.', {
          field: 'authorization',
          fix: 'Send the header "Authorization: Bearer <your API key>".',
        });
      }
      const digest = createHash('sha256').update(match[1]!).digest();
      let found = false;
      // Compare against every key (no early exit) so timing does not tell which one matched.
      for (const hash of hashes) found = timingSafeEqual(digest, hash) || found;
      if (!found) {
        throw new HttpError(401, 'unauthorized', 'The API key is not valid.', {
          field: 'authorization',
          fix: 'Check the key sent in "Authorization: Bearer <key>".',
        });
      }
      return digest.toString('hex');
    },
  };
}
