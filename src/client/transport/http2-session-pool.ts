/**
 * HTTP/2 sessions to one client's endpoints, shared by all of its requests: a request takes a stream on
 * a session with room, so a call costs an HTTP/2 stream instead of a TCP (and TLS) handshake and an open
 * stream holds no socket of its own. A session that is going away (GOAWAY, error, close) takes no new
 * streams and leaves the pool; an idle session does not keep the process alive.
 *
 * Liveness, paid per request and never per chunk: a session idle for `pingAfterIdleMs` is PINGed before
 * it is reused (a NAT or firewall may have dropped it without a reset) and replaced when the PING goes
 * unanswered; a session idle for `idleTimeoutMs` is closed; a session whose request stalled is retired.
 * A new session takes one stream until the server's SETTINGS say how many it allows.
 */
import type http2 from 'node:http2';
import { connectSession, type SessionConnectOptions } from './session-connector.js';

/**
 * Streams on one session before another is opened: below the usual server limit (128 on AWS front ends),
 * so a request never queues behind a full connection.
 */
export const MAX_STREAMS_PER_SESSION = 100;

export interface SessionLiveness {
  /** A session idle this long is PINGed before reuse (default 5 s). */
  pingAfterIdleMs: number;
  /** How long a PING may go unanswered before the session is dropped (default 3 s). */
  pingTimeoutMs: number;
  /** A session without streams for this long is closed (default 60 s). */
  idleTimeoutMs: number;
}

export const DEFAULT_LIVENESS: SessionLiveness = {
  pingAfterIdleMs: 5_000,
  pingTimeoutMs: 3_000,
  idleTimeoutMs: 60_000,
};

export type PoolOptions = SessionLiveness & SessionConnectOptions;

/** A stream sent on a session and still waiting for its response headers. */
export interface AwaitingStream {
  /** The stream's id; undefined while it is not sent yet. */
  readonly streamId: number | undefined;
  /** The server said (GOAWAY) it did not process this stream: send it elsewhere. */
  unprocessed(): void;
}

/** One pooled session and the streams it carries. */
export class PooledSession {
  active = 0;
  /** False once the session is going away: its open streams finish, new ones go elsewhere. */
  usable = true;
  /** The server's SETTINGS arrived: its stream limit is known. */
  settled = false;
  /** When the last stream ended (or the session opened). */
  idleSince = Date.now();
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Streams waiting for their response headers (only those: an answered stream leaves at once). */
  readonly awaiting = new Set<AwaitingStream>();
  /** The PING sent before reusing this idle session, while it is out. */
  checking: Promise<void> | undefined;
  /** Resolves once the SETTINGS arrived or the session is gone; waiting acquires then look again. */
  readonly ready: Promise<void>;
  markReady!: () => void;

  constructor(
    readonly session: http2.ClientHttp2Session,
    readonly origin: string,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  get hasRoom(): boolean {
    if (!this.usable) return false;
    // Until the server's SETTINGS arrive its limit is unknown (it may be 1): one stream only.
    if (!this.settled) return this.active < 1;
    const serverLimit = this.session.remoteSettings.maxConcurrentStreams ?? MAX_STREAMS_PER_SESSION;
    return this.active < Math.min(MAX_STREAMS_PER_SESSION, serverLimit);
  }
}

export class Http2SessionPool {
  readonly #byOrigin = new Map<string, PooledSession[]>();
  readonly #options: PoolOptions;
  #destroyed = false;

  constructor(options: Partial<PoolOptions> = {}) {
    this.#options = { ...DEFAULT_LIVENESS, ...options };
  }

  /**
   * A session to `origin` with room for one more stream, counted as taken until `release`. Synchronous
   * when a live session has room; a promise while a new session's SETTINGS or an idle session's PING is
   * awaited.
   */
  acquire(origin: string): PooledSession | Promise<PooledSession> {
    if (this.#destroyed) throw new Error('The HTTP/2 session pool was destroyed (the client was destroyed).');
    let sessions = this.#byOrigin.get(origin);
    if (sessions === undefined) {
      sessions = [];
      this.#byOrigin.set(origin, sessions);
    }
    let pooled = sessions.find((candidate) => candidate.hasRoom);
    if (pooled === undefined) {
      const opening = sessions.find((candidate) => candidate.usable && !candidate.settled);
      if (opening !== undefined) return opening.ready.then(() => this.acquire(origin));
      pooled = this.#connect(origin);
      sessions.push(pooled);
    } else if (pooled.checking !== undefined || this.#idleTooLong(pooled)) {
      return this.#checked(pooled);
    }
    this.#take(pooled);
    return pooled;
  }

  release(pooled: PooledSession): void {
    if (--pooled.active !== 0 || pooled.session.destroyed) return;
    pooled.session.unref();
    pooled.idleSince = Date.now();
    if (pooled.idleTimer === undefined) {
      pooled.idleTimer = setTimeout(Http2SessionPool.#onIdle, this.#options.idleTimeoutMs, this, pooled);
      pooled.idleTimer.unref();
    } else pooled.idleTimer.refresh();
  }

  /** The session failed to open a stream (ids used up, closing) or refused one: it takes no more. */
  retire(pooled: PooledSession): void {
    this.#remove(pooled);
    if (!pooled.session.closed) pooled.session.close();
  }

  /**
   * A request on this session stalled (timeout) or broke the protocol: new streams go elsewhere, and a
   * session that no longer answers a PING is destroyed, failing its other streams at once.
   */
  suspect(pooled: PooledSession): void {
    if (pooled.session.destroyed) return;
    this.retire(pooled);
    this.#ping(pooled).then((alive) => {
      if (!alive) pooled.session.destroy();
    });
  }

  destroy(): void {
    this.#destroyed = true;
    for (const sessions of this.#byOrigin.values()) {
      for (const pooled of sessions) pooled.session.destroy();
    }
    this.#byOrigin.clear();
  }

  static #onIdle(pool: Http2SessionPool, pooled: PooledSession): void {
    if (pooled.active === 0) pool.retire(pooled);
  }

  #take(pooled: PooledSession): void {
    if (pooled.active++ === 0) pooled.session.ref();
  }

  #idleTooLong(pooled: PooledSession): boolean {
    return pooled.active === 0 && Date.now() - pooled.idleSince >= this.#options.pingAfterIdleMs;
  }

  /**
   * An idle session is used once it answers a PING (every acquire meanwhile waits for the same one);
   * otherwise it is dropped and the pool looks again.
   */
  async #checked(pooled: PooledSession): Promise<PooledSession> {
    pooled.checking ??= this.#ping(pooled).then((alive) => {
      pooled.checking = undefined;
      pooled.idleSince = Date.now();
      if (!alive) {
        this.#remove(pooled);
        pooled.session.destroy();
      }
    });
    await pooled.checking;
    return this.acquire(pooled.origin);
  }

  #ping(pooled: PooledSession): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#options.pingTimeoutMs);
      try {
        const sent = pooled.session.ping((error) => {
          clearTimeout(timer);
          resolve(error === null);
        });
        if (!sent) {
          clearTimeout(timer);
          resolve(false);
        }
      } catch {
        clearTimeout(timer);
        resolve(false);
      }
    });
  }

  #connect(origin: string): PooledSession {
    const session = connectSession(origin, this.#options);
    const pooled = new PooledSession(session, origin);
    session.unref();
    session.once('remoteSettings', () => {
      pooled.settled = true;
      pooled.markReady();
    });
    // Streams see their own errors; the session's only need to take it out of the pool.
    session.on('error', () => this.#remove(pooled));
    // No new streams on a session the server is closing, even if it keeps the connection open; the
    // streams it says it did not process (above its last stream id) are sent elsewhere at once.
    session.on('goaway', (_code: number, lastStreamId: number) => {
      this.#remove(pooled);
      for (const stream of [...pooled.awaiting]) {
        if (stream.streamId === undefined || stream.streamId > lastStreamId) stream.unprocessed();
      }
    });
    session.on('frameError', () => this.suspect(pooled));
    session.on('close', () => {
      this.#remove(pooled);
      clearTimeout(pooled.idleTimer);
    });
    return pooled;
  }

  #remove(pooled: PooledSession): void {
    pooled.usable = false;
    pooled.markReady();
    const sessions = this.#byOrigin.get(pooled.origin);
    const index = sessions?.indexOf(pooled) ?? -1;
    if (index >= 0) sessions!.splice(index, 1);
  }
}
