/**
 * HTTP/2 sessions to one client's endpoints, shared by all of its requests: a request takes a stream on
 * a session with room, so a call costs an HTTP/2 stream instead of a TCP (and TLS) handshake and an open
 * stream holds no socket of its own. A session that is going away (GOAWAY, error, close) takes no new
 * streams and leaves the pool; an idle session does not keep the process alive.
 */
import http2 from 'node:http2';

/**
 * Streams on one session before another is opened: below the usual server limit (128 on AWS front ends),
 * so a request never queues behind a full connection.
 */
export const MAX_STREAMS_PER_SESSION = 100;

/** One pooled session and the streams it carries. */
export class PooledSession {
  active = 0;
  /** False once the session is going away: its open streams finish, new ones go elsewhere. */
  usable = true;

  constructor(
    readonly session: http2.ClientHttp2Session,
    readonly origin: string,
  ) {}

  get hasRoom(): boolean {
    // Before the server's SETTINGS arrive, node reports the protocol default (unlimited).
    const serverLimit = this.session.remoteSettings.maxConcurrentStreams ?? MAX_STREAMS_PER_SESSION;
    return this.usable && this.active < Math.min(MAX_STREAMS_PER_SESSION, serverLimit);
  }
}

export class Http2SessionPool {
  readonly #byOrigin = new Map<string, PooledSession[]>();
  #destroyed = false;

  /** A session to `origin` with room for one more stream, counted as taken until `release`. */
  acquire(origin: string): PooledSession {
    if (this.#destroyed) throw new Error('The HTTP/2 session pool was destroyed (the client was destroyed).');
    let sessions = this.#byOrigin.get(origin);
    if (sessions === undefined) {
      sessions = [];
      this.#byOrigin.set(origin, sessions);
    }
    let pooled = sessions.find((candidate) => candidate.hasRoom);
    if (pooled === undefined) {
      pooled = this.#connect(origin);
      sessions.push(pooled);
    }
    if (pooled.active++ === 0) pooled.session.ref();
    return pooled;
  }

  release(pooled: PooledSession): void {
    if (--pooled.active === 0 && !pooled.session.destroyed) pooled.session.unref();
  }

  /** The session failed to open a stream (ids used up, closing): it takes no more. */
  retire(pooled: PooledSession): void {
    this.#remove(pooled);
    if (!pooled.session.closed) pooled.session.close();
  }

  destroy(): void {
    this.#destroyed = true;
    for (const sessions of this.#byOrigin.values()) {
      for (const pooled of sessions) pooled.session.destroy();
    }
    this.#byOrigin.clear();
  }

  #connect(origin: string): PooledSession {
    const session = http2.connect(origin);
    const pooled = new PooledSession(session, origin);
    session.unref();
    // Streams see their own errors; the session's only need to take it out of the pool.
    session.on('error', () => this.#remove(pooled));
    session.on('goaway', () => this.#remove(pooled));
    session.on('close', () => this.#remove(pooled));
    return pooled;
  }

  #remove(pooled: PooledSession): void {
    pooled.usable = false;
    const sessions = this.#byOrigin.get(pooled.origin);
    const index = sessions?.indexOf(pooled) ?? -1;
    if (index >= 0) sessions!.splice(index, 1);
  }
}
