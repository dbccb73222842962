/**
 * The Redis backend: one budget for every process that points at the same Redis. Each step is one Lua
 * script run atomically (EVALSHA, falling back to EVAL once per connection), so an uncontended call
 * costs two round trips: one to be admitted, one to settle. Keys carry the model's quota key as a
 * Cluster hash tag and expire when the model has been idle for a while.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import { ADJUST, ADMIT, SNAPSHOT, THROTTLED } from './redis-scripts.js';
import type { AdmitOutcome, ModelQuotaSnapshot, QuotaBackend, QuotaLimits } from './types.js';

export interface RedisBackendOptions {
  /**
   * A Redis URL (`redis://host:port`) or an ioredis client or Cluster (which stays yours: `close()` leaves
   * it open). A model's keys share a hash tag, so each script runs on one Cluster slot.
   */
  redis: string | Redis | Cluster;
  /** Prefix of every key (default `bedrock-quota:`). */
  keyPrefix?: string;
  /** A waiting client that stops polling for this long gives up its place (default 5 000 ms). */
  leaseMs?: number;
}

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = {
  admit: script(ADMIT),
  adjust: script(ADJUST),
  throttled: script(THROTTLED),
  snapshot: script(SNAPSHOT),
};

/** How long a first command waits for the connection to be ready before it counts as unavailable. */
const READY_TIMEOUT_MS = 1_000;

export class RedisQuotaBackend implements QuotaBackend {
  readonly kind = 'redis';
  readonly redis: Redis | Cluster;
  readonly #owned: boolean;
  /**
   * Once connected (or once a first connection took too long), a connection that is not ready fails
   * commands at once instead of making each call wait for it.
   */
  #failFast = false;
  readonly #prefix: string;
  readonly #leaseMs: number;
  /** Identifies this process's tickets, so a crashed process's place in line can expire. */
  readonly #client = randomBytes(6).toString('hex');
  /** Round trips made, for the benchmark. */
  roundTrips = 0;

  constructor(options: RedisBackendOptions) {
    this.#owned = typeof options.redis === 'string';
    this.redis =
      typeof options.redis === 'string'
        ? new Redis(options.redis, {
            // Fail fast while disconnected (fail-open or fail-closed decides), reconnect in the background.
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            commandTimeout: 2_000,
            retryStrategy: (times) => Math.min(times * 100, 1_000),
          })
        : options.redis;
    // Connection errors surface as failed commands; without a listener ioredis would log each one.
    if (this.#owned) this.redis.on('error', () => {});
    this.redis.on('ready', () => (this.#failFast = true));
    this.#prefix = options.keyPrefix ?? 'bedrock-quota:';
    this.#leaseMs = options.leaseMs ?? 5_000;
  }

  async admit(key: string, cost: number, ticket: string | undefined, limits: QuotaLimits): Promise<AdmitOutcome> {
    const reply = (await this.#run(SCRIPTS.admit, key, limits, [cost, ticket ?? '', this.#client, this.#leaseMs])) as [
      number,
      number,
      string,
    ];
    return reply[0] === 1 ? { admitted: true } : { admitted: false, waitMs: reply[1], ticket: reply[2] };
  }

  async adjust(key: string, tokens: number, reserved: number, limits: QuotaLimits): Promise<void> {
    await this.#run(SCRIPTS.adjust, key, limits, [tokens, reserved]);
  }

  async throttled(key: string, cost: number, limits: QuotaLimits): Promise<number> {
    return (await this.#run(SCRIPTS.throttled, key, limits, [cost])) as number;
  }

  async leave(key: string, ticket: string): Promise<void> {
    await this.#ready();
    this.roundTrips++;
    await this.redis.zrem(this.#keys(key)[1], ticket);
  }

  async snapshot(key: string, limits: QuotaLimits): Promise<ModelQuotaSnapshot> {
    const [tokens, requests, reserved, factor, throttles, waiting] = (await this.#run(
      SCRIPTS.snapshot,
      key,
      limits,
      [],
    )) as [string, string, string, string, string, number];
    const rate = Number(factor);
    return {
      key,
      tokensAvailable: limits.tokens > 0 ? Math.floor(Number(tokens)) : undefined,
      requestsAvailable: limits.requests > 0 ? Math.floor(Number(requests)) : undefined,
      tokensReserved: Number(reserved),
      waiting,
      rateFactor: Math.round(rate * 1000) / 1000,
      learntTokensPerPeriod: limits.tokens > 0 ? Math.floor(limits.tokens * rate) : undefined,
      learntRequestsPerPeriod: limits.requests > 0 ? Math.floor(limits.requests * rate) : undefined,
      throttles: Number(throttles),
    };
  }

  /** The limits the fleet last booked a key with (for `bedrock-inference quota`, which has none of its own). */
  async storedLimits(key: string): Promise<QuotaLimits | undefined> {
    await this.#ready();
    const stored = await this.redis.hget(this.#keys(key)[0], 'limits');
    if (stored === null) return undefined;
    const [tokens, requests, periodMs, boundaryMs, enabled, decrease, increasePerPeriod, holdPeriods, floor] = stored
      .split(',')
      .map(Number) as [number, number, number, number, number, number, number, number, number];
    return {
      tokens,
      requests,
      periodMs,
      boundaryMs,
      adaptive: { enabled: enabled === 1, decrease, increasePerPeriod, holdPeriods, floor },
    };
  }

  /** The quota keys with books under this prefix (a SCAN: for the CLI and snapshots, not the hot path). */
  async keys(): Promise<string[]> {
    await this.#ready();
    const found = new Set<string>();
    const nodes = 'nodes' in this.redis ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${this.#prefix}{*}:h`, 'COUNT', 500);
        for (const name of keys) found.add(name.slice(this.#prefix.length + 1, -3));
        cursor = next;
      } while (cursor !== '0');
    }
    return [...found].sort();
  }

  async close(): Promise<void> {
    if (this.#owned) this.redis.disconnect();
    return Promise.resolve();
  }

  #keys(key: string): [string, string, string] {
    const tagged = `${this.#prefix}{${key}}`;
    return [`${tagged}:h`, `${tagged}:q`, `${tagged}:l`];
  }

  async #run(which: Script, key: string, limits: QuotaLimits, extra: (string | number)[]): Promise<unknown> {
    await this.#ready();
    const { adaptive } = limits;
    // Idle books expire: two periods after the last call, and never before a waiting client's lease.
    const ttlMs = Math.ceil(2 * limits.periodMs + this.#leaseMs);
    const args = [
      limits.tokens,
      limits.requests,
      limits.periodMs,
      limits.boundaryMs,
      adaptive.enabled ? 1 : 0,
      adaptive.decrease,
      adaptive.increasePerPeriod,
      adaptive.holdPeriods,
      adaptive.floor,
      ttlMs,
      ...extra,
    ];
    const keys = this.#keys(key);
    this.roundTrips++;
    try {
      return await this.redis.evalsha(which.sha, 3, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      this.roundTrips++;
      return await this.redis.eval(which.source, 3, ...keys, ...args);
    }
  }

  /** Waits briefly for a connection that is being made; one that is down fails at once. */
  async #ready(): Promise<void> {
    const { status } = this.redis;
    if (status === 'ready') {
      this.#failFast = true;
      return;
    }
    if (this.#failFast) throw new Error(`Redis connection is ${status}`);
    if (status !== 'connecting' && status !== 'connect' && status !== 'reconnecting' && status !== 'wait') {
      throw new Error(`Redis connection is ${status}`);
    }
    if (status === 'wait') void this.redis.connect().catch(() => {});
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#failFast = true;
        done(new Error(`Redis not ready after ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      const onReady = () => done(undefined);
      const done = (error: Error | undefined) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        if (error === undefined) resolve();
        else reject(error);
      };
      this.redis.once('ready', onReady);
    });
  }
}
