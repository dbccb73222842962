/**
 * Blocking connections for the Redis registry's followers (XREAD BLOCK holds a connection). A reader
 * that ended normally goes back to a small idle pool; one aborted mid-BLOCK is disconnected, since
 * its connection is still blocked.
 */
import type { Redis } from 'ioredis';

const MAX_IDLE = 8;

export class RedisReaderPool {
  readonly #create: () => Redis;
  readonly #idle: Redis[] = [];
  readonly #busy = new Set<Redis>();
  #closed = false;

  /** `create` opens one more connection (a duplicate of the registry's, named for CLIENT LIST). */
  constructor(create: () => Redis) {
    this.#create = create;
  }

  acquire(): Redis {
    if (this.#closed) throw new Error('The generation registry is closed');
    const reader = this.#idle.pop() ?? this.#create();
    this.#busy.add(reader);
    return reader;
  }

  release(reader: Redis, reusable: boolean): void {
    this.#busy.delete(reader);
    if (reusable && !this.#closed && this.#idle.length < MAX_IDLE && reader.status === 'ready') {
      this.#idle.push(reader);
    } else {
      reader.disconnect();
    }
  }

  close(): void {
    this.#closed = true;
    for (const reader of [...this.#idle, ...this.#busy]) reader.disconnect();
    this.#idle.length = 0;
    this.#busy.clear();
  }
}
