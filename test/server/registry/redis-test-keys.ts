/** Real Redis for tests: an isolated key prefix per test file, and every key under it deleted afterwards. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

/** The keys (with their TTL in seconds) currently under `prefix`. */
export async function keysWithTtl(prefix: string): Promise<Map<string, number>> {
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}*`);
    const result = new Map<string, number>();
    for (const key of keys) result.set(key.slice(prefix.length), await redis.ttl(key));
    return result;
  } finally {
    await redis.quit();
  }
}
