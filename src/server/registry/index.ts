/**
 * `createRegistry()`: the Redis Streams registry when a Redis URL is given (or REDIS_URL is set),
 * else the in-memory one.
 */
import { MemoryRegistry } from './memory-registry.js';
import { RedisRegistry } from './redis-registry.js';
import type { GenerationRegistry } from './types.js';

export interface CreateRegistryOptions {
  /** Use Redis at this URL; default `process.env.REDIS_URL`; memory when neither is set. */
  redisUrl?: string | undefined;
  /** Redis key and channel prefix (default `bedrock-inference:`). */
  keyPrefix?: string | undefined;
  /** How long a finished generation stays readable (default 600 s). */
  ttlSeconds?: number | undefined;
  /** In memory: finished generations kept at most (default 1 000; Redis bounds them by TTL). */
  maxFinished?: number | undefined;
}

export function createRegistry(options: CreateRegistryOptions = {}): GenerationRegistry {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL;
  const ttl = options.ttlSeconds === undefined ? {} : { ttlSeconds: options.ttlSeconds };
  if (redisUrl === undefined || redisUrl === '') {
    return new MemoryRegistry({
      ...ttl,
      ...(options.maxFinished === undefined ? {} : { maxFinished: options.maxFinished }),
    });
  }
  return new RedisRegistry({
    url: redisUrl,
    ...ttl,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
  });
}

export { MemoryRegistry, type MemoryRegistryOptions } from './memory-registry.js';
export { RedisRegistry, type RedisRegistryOptions } from './redis-registry.js';
export type * from './types.js';
