/**
 * The Redis Streams GenerationRegistry, for several server processes sharing one Redis:
 * - `<prefix>gen:{<id>}` hash: the generation's info; `<prefix>gen:{<id>}:events` stream: its event log
 *   (event ids are stream ids); `<prefix>gen:{<id>}:viewers` sorted set: one lease per viewer, in any
 *   process, renewed by that process (so a crashed process's viewers stop counting when their leases
 *   lapse; the process running the generation then stops it as if they had left). The braced id is a
 *   Redis Cluster hash tag: one generation's keys live in one slot.
 * - Appends run as one Lua script (status check + XADD + expiry), so nothing lands after a terminal
 *   event and every key gets `ttlSeconds` once the generation finishes.
 * - A reader replays with paged XRANGE, then follows with XREAD BLOCK on a blocking connection of its
 *   own (taken from a small idle pool, returned when the reader ends normally; an abort mid-BLOCK
 *   disconnects it). Why not one shared blocking reader for all streams: every new follower would
 *   have to interrupt it (CLIENT UNBLOCK) and every woken reader fetch again, costing more round trips
 *   per chunk; a dedicated connection gets exactly its reader's entries in one reply. The price is
 *   one Redis connection per live viewer (Redis handles thousands); memory per viewer stays one page.
 * - Cancel requests travel over Pub/Sub (`<prefix>cancel`) to whichever process runs the generation.
 * Commands fail (rejected promises) after a few reconnect attempts instead of queueing forever.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { isTerminalEvent } from './memory-registry.js';
import { RedisReaderPool } from './redis-reader-pool.js';
import { defineScripts, type RegistryScripts } from './redis-scripts.js';
import type {
  GenerationEvent,
  GenerationEventType,
  GenerationInfo,
  GenerationRegistry,
  GenerationStatus,
} from './types.js';

export interface RedisRegistryOptions {
  /** Default `REDIS_URL`, else redis://127.0.0.1:6379. */
  url?: string;
  /** Prefix of every key and the cancel channel (default `bedrock-inference:`). */
  keyPrefix?: string;
  /** How long a finished generation stays readable (default 600 s). */
  ttlSeconds?: number;
  /** Expiry while running, so a crashed process leaves nothing behind for long (default 3600 s). */
  runningTtlSeconds?: number;
  /** Events per XRANGE/XREAD page (default 256). */
  pageSize?: number;
  /** Longest single XREAD BLOCK before checking that the generation and its owner are still there (default 5000 ms). */
  blockMs?: number;
  /**
   * The running process renews a lease on each generation it runs (every third of this, default 15 s);
   * when it lapses, that process is gone and followers stop waiting.
   */
  leaseSeconds?: number;
}

type StreamEntry = [id: string, fields: string[]];
type XReadReply = [key: string, entries: StreamEntry[]][] | null;

const TERMINAL_STATUS: Partial<Record<GenerationEventType, GenerationStatus>> = {
  done: 'done',
  error: 'error',
  cancelled: 'cancelled',
};

const STREAM_ID = /^\d{1,20}(-\d{1,20})?$/;

export class RedisRegistry implements GenerationRegistry {
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #runningTtl: number;
  readonly #pageSize: number;
  readonly #blockMs: number;
  readonly #leaseSeconds: number;
  #leaseTimer: NodeJS.Timeout | undefined;
  readonly #redis: Redis;
  /** The same connection, with the Lua scripts as commands (EVALSHA, loaded on first use). */
  readonly #scripts: RegistryScripts;
  readonly #subscriber: Redis;
  #subscribed: Promise<void> | undefined;
  readonly #cancelListeners = new Map<string, Set<() => void>>();
  /** The viewers attached through this registry (generation id -> viewer tokens), whose leases it renews. */
  readonly #viewers = new Map<string, Set<string>>();
  readonly #readers: RedisReaderPool;
  #closed = false;

  constructor(options: RedisRegistryOptions = {}) {
    this.#prefix = options.keyPrefix ?? 'bedrock-inference:';
    this.#ttl = options.ttlSeconds ?? 600;
    this.#runningTtl = Math.max(options.runningTtlSeconds ?? 3600, this.#ttl);
    this.#pageSize = options.pageSize ?? 256;
    this.#blockMs = options.blockMs ?? 5_000;
    this.#leaseSeconds = options.leaseSeconds ?? 15;
    const url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    this.#redis = watch(
      new Redis(url, {
        maxRetriesPerRequest: 2,
        connectTimeout: 5_000,
        // Short reconnect steps: with Redis gone, a command fails within about a second.
        retryStrategy: (times: number) => Math.min(times * 100, 500),
      }),
    );
    this.#scripts = defineScripts(this.#redis);
    this.#subscriber = watch(this.#redis.duplicate());
    // Named `<prefix>reader` so CLIENT LIST shows the followers' connections.
    const connectionName = `${this.#prefix.replace(/[^\w:.-]/g, '_')}reader`;
    this.#readers = new RedisReaderPool(() => watch(this.#redis.duplicate({ connectionName })));
    this.#subscriber.on('message', (channel: string, id: string) => {
      if (channel !== this.#channel) return;
      const listeners = this.#cancelListeners.get(id);
      if (listeners !== undefined) for (const listener of [...listeners]) listener();
    });
  }

  get #channel(): string {
    return `${this.#prefix}cancel`;
  }

  async create(fields: Omit<GenerationInfo, 'status' | 'createdAt'>): Promise<GenerationInfo> {
    // Cancels for generations run here must not be missed: be subscribed before the first one exists.
    await this.#subscription();
    const info: GenerationInfo = { ...fields, status: 'running', createdAt: Date.now() };
    const key = this.#key(info.id);
    const hash = ['id', info.id, 'model', info.model, 'detached', info.detached ? '1' : '0', 'status', info.status];
    hash.push('createdAt', String(info.createdAt));
    if (info.ownerKeyHash !== null) hash.push('owner', info.ownerKeyHash);
    const created = await this.#scripts.createGeneration(
      key,
      `${key}:lease`,
      this.#runningTtl,
      this.#leaseSeconds,
      ...hash,
    );
    if (created === 0) throw new Error(`Generation ${info.id} already exists`);
    return info;
  }

  async get(id: string): Promise<GenerationInfo | undefined> {
    const hash = await this.#redis.hgetall(this.#key(id));
    if (hash.id === undefined || hash.status === undefined) return undefined;
    return {
      id: hash.id,
      model: hash.model ?? '',
      ownerKeyHash: hash.owner ?? null,
      detached: hash.detached === '1',
      status: hash.status as GenerationStatus,
      createdAt: Number(hash.createdAt),
    };
  }

  async append(id: string, type: GenerationEventType, data: string): Promise<string> {
    const key = this.#key(id);
    const result = await this.#scripts.appendEvent(
      key,
      `${key}:events`,
      `${key}:viewers`,
      `${key}:lease`,
      type,
      data,
      TERMINAL_STATUS[type] ?? '',
      this.#ttl,
      this.#runningTtl,
      this.#leaseSeconds,
    );
    return result as string;
  }

  read(id: string, afterId: string | undefined, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    return this.#read(id, afterId, signal);
  }

  async *#read(id: string, afterId: string | undefined, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    const key = this.#key(id);
    const events = `${key}:events`;
    if (signal.aborted) return;
    // Status before the replay: a generation already finished has its whole log in the replay.
    const status = await this.#redis.hget(key, 'status');
    if (status === null) return;
    // An id this stream could not have issued replays from the start: a duplicate beats a gap.
    let last = afterId !== undefined && STREAM_ID.test(afterId) ? afterId : '0-0';
    if (last !== '0-0' && (await this.#isPastEnd(events, last))) last = '0-0';
    for (;;) {
      const page = await this.#redis.xrange(events, `(${last}`, '+', 'COUNT', this.#pageSize);
      for (const [entryId, fields] of page) {
        last = entryId;
        const event = toEvent(entryId, fields);
        yield event;
        if (isTerminalEvent(event.type) || signal.aborted) return;
      }
      if (page.length < this.#pageSize) break;
    }
    if (status !== 'running') return;
    yield* this.#follow(key, events, last, signal);
  }

  /** The live tail: XREAD BLOCK from `last` on a blocking connection until a terminal event. */
  async *#follow(key: string, events: string, last: string, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    const reader = this.#readers.acquire();
    const onAbort = () => reader.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    let reusable = false;
    try {
      while (!signal.aborted) {
        let reply: XReadReply;
        try {
          reply = await reader.xread('COUNT', this.#pageSize, 'BLOCK', this.#blockMs, 'STREAMS', events, last);
        } catch (error) {
          if (signal.aborted) return;
          throw error;
        }
        if (reply === null) {
          // Nothing for a while: stop if the generation expired, or its process is gone (lease lapsed).
          if ((await this.#scripts.generationAlive(key, `${key}:lease`)) === 0) {
            reusable = true;
            return;
          }
          continue;
        }
        for (const [entryId, fields] of reply[0]?.[1] ?? []) {
          last = entryId;
          const event = toEvent(entryId, fields);
          yield event;
          if (isTerminalEvent(event.type)) {
            reusable = true;
            return;
          }
          if (signal.aborted) return;
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#readers.release(reader, reusable && !signal.aborted);
    }
  }

  /** Whether `id` is later than the stream's newest entry (an id this stream never issued). */
  async #isPastEnd(events: string, id: string): Promise<boolean> {
    const newest = (await this.#redis.xrevrange(events, '+', '-', 'COUNT', 1))[0]?.[0];
    return newest !== undefined && compareStreamIds(id, newest) > 0;
  }

  async requestCancel(id: string): Promise<void> {
    await this.#scripts.requestCancel(this.#key(id), this.#channel, id);
  }

  onCancelRequested(id: string, listener: () => void): () => void {
    let listeners = this.#cancelListeners.get(id);
    if (listeners === undefined) this.#cancelListeners.set(id, (listeners = new Set()));
    listeners.add(listener);
    // Whoever listens for cancels runs the generation: keep its lease while it does.
    this.#startLeases();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#cancelListeners.get(id) === listeners) this.#cancelListeners.delete(id);
      this.#stopLeasesWhenIdle();
    };
  }

  /**
   * One tick, every third of the lease: renews the leases of the generations run here and of the viewers
   * attached here; picks up cancel requests whose message was missed; and drops the lapsed viewer leases
   * of the generations run here, which cancels one left without viewers (their processes died).
   */
  #renewLeases(): void {
    const ids = [...this.#cancelListeners.keys()];
    const batch = this.#redis.pipeline();
    for (const id of ids) {
      batch.set(`${this.#key(id)}:lease`, '1', 'EX', this.#leaseSeconds);
      batch.hget(this.#key(id), 'cancel');
    }
    const scripted = batch as unknown as RegistryScripts;
    for (const [id, tokens] of this.#viewers) {
      for (const token of tokens) void scripted.renewViewer(`${this.#key(id)}:viewers`, token, this.#leaseMs);
    }
    for (const id of ids) void scripted.sweepViewers(`${this.#key(id)}:viewers`, this.#key(id), this.#channel, id);
    // A failed renewal is retried at the next tick; commands already report Redis being away.
    batch
      .exec()
      .then((results) => {
        ids.forEach((id, i) => {
          if (results?.[i * 2 + 1]?.[1] !== '1') return;
          for (const listener of [...(this.#cancelListeners.get(id) ?? [])]) listener();
        });
      })
      .catch(() => undefined);
  }

  get #leaseMs(): number {
    return this.#leaseSeconds * 1000;
  }

  #startLeases(): void {
    this.#leaseTimer ??= setInterval(() => this.#renewLeases(), this.#leaseMs / 3).unref();
  }

  #stopLeasesWhenIdle(): void {
    if (this.#cancelListeners.size > 0 || this.#viewers.size > 0) return;
    this.#stopLeases();
  }

  #stopLeases(): void {
    clearInterval(this.#leaseTimer);
    this.#leaseTimer = undefined;
  }

  async attachViewer(id: string): Promise<() => Promise<void>> {
    const viewers = `${this.#key(id)}:viewers`;
    const token = randomBytes(8).toString('hex');
    await this.#scripts.attachViewer(viewers, token, this.#leaseMs, this.#runningTtl);
    let tokens = this.#viewers.get(id);
    if (tokens === undefined) this.#viewers.set(id, (tokens = new Set()));
    tokens.add(token);
    this.#startLeases();
    let attached = true;
    return async () => {
      if (!attached) return;
      attached = false;
      tokens.delete(token);
      if (tokens.size === 0 && this.#viewers.get(id) === tokens) this.#viewers.delete(id);
      this.#stopLeasesWhenIdle();
      await this.#scripts.detachViewer(viewers, token);
    };
  }

  async viewerCount(id: string): Promise<number> {
    return this.#scripts.countViewers(`${this.#key(id)}:viewers`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#readers.close();
    this.#cancelListeners.clear();
    this.#viewers.clear();
    this.#stopLeases();
    await Promise.all([quit(this.#subscriber), quit(this.#redis)]);
  }

  /**
   * `<prefix>gen:{<id>}`: the braces are a Redis Cluster hash tag, so a generation's four keys (info,
   * events, viewers, lease) share one slot, as the multi-key scripts need there.
   */
  #key(id: string): string {
    return `${this.#prefix}gen:{${id}}`;
  }

  #subscription(): Promise<void> {
    if (this.#subscribed === undefined) {
      const subscribing = this.#subscriber.subscribe(this.#channel).then(() => undefined);
      this.#subscribed = subscribing;
      // A failed subscribe is retried by the next create() rather than cached as failed forever.
      subscribing.catch(() => {
        if (this.#subscribed === subscribing) this.#subscribed = undefined;
      });
    }
    return this.#subscribed;
  }
}

function compareStreamIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs > bMs ? 1 : -1;
  return aSeq === bSeq ? 0 : aSeq > bSeq ? 1 : -1;
}

function toEvent(id: string, fields: string[]): GenerationEvent {
  // Fields are written as ['t', type, 'd', data] by APPEND_SCRIPT.
  return { id, type: fields[1] as GenerationEventType, data: fields[3] ?? '' };
}

/** Connection errors surface through the failing commands; an 'error' event must not crash the process. */
function watch(redis: Redis): Redis {
  redis.on('error', () => undefined);
  return redis;
}

async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
