/**
 * The in-process GenerationRegistry: one append-only event log per generation. A reader keeps only an
 * index into that log and one pending wake-up, so a slow viewer costs no memory beyond its position,
 * and events are never copied per viewer. Finished generations expire after `ttlSeconds`, and at most
 * `maxFinished` of them are kept (a load leaves memory where it found it).
 */
import type {
  GenerationEvent,
  GenerationEventType,
  GenerationInfo,
  GenerationRegistry,
  GenerationStatus,
} from './types.js';

export interface MemoryRegistryOptions {
  /** How long a finished generation stays readable (default 600 s). */
  ttlSeconds?: number;
  /** Finished generations kept at most (default 1 000): the oldest is dropped first, so memory is bounded. */
  maxFinished?: number;
}

interface Generation {
  info: GenerationInfo;
  log: GenerationEvent[];
  /** One wake-up function per reader waiting for the next append. */
  waiters: Set<() => void>;
  cancelListeners: Set<() => void>;
  viewers: number;
  expiry: NodeJS.Timeout | undefined;
  /** The registry was closed: readers stop instead of waiting. */
  closed: boolean;
}

const TERMINAL: Partial<Record<GenerationEventType, GenerationStatus>> = {
  done: 'done',
  error: 'error',
  cancelled: 'cancelled',
};

export function isTerminalEvent(type: GenerationEventType): boolean {
  return TERMINAL[type] !== undefined;
}

export class MemoryRegistry implements GenerationRegistry {
  readonly #generations = new Map<string, Generation>();
  readonly #ttlMs: number;
  readonly #maxFinished: number;
  /** Finished generation ids, oldest first (a Set keeps insertion order). */
  readonly #finished = new Set<string>();

  constructor(options: MemoryRegistryOptions = {}) {
    this.#ttlMs = (options.ttlSeconds ?? 600) * 1000;
    this.#maxFinished = options.maxFinished ?? 1_000;
  }

  async create(fields: Omit<GenerationInfo, 'status' | 'createdAt'>): Promise<GenerationInfo> {
    if (this.#generations.has(fields.id)) throw new Error(`Generation ${fields.id} already exists`);
    const info: GenerationInfo = { ...fields, status: 'running', createdAt: Date.now() };
    this.#generations.set(info.id, {
      info,
      log: [],
      waiters: new Set(),
      cancelListeners: new Set(),
      viewers: 0,
      expiry: undefined,
      closed: false,
    });
    return { ...info };
  }

  async get(id: string): Promise<GenerationInfo | undefined> {
    const generation = this.#generations.get(id);
    return generation === undefined ? undefined : { ...generation.info };
  }

  async append(id: string, type: GenerationEventType, data: string): Promise<string> {
    const generation = this.#require(id);
    if (generation.info.status !== 'running') throw new Error(`Generation ${id} has already finished`);
    const eventId = String(generation.log.length + 1);
    generation.log.push({ id: eventId, type, data });
    const status = TERMINAL[type];
    if (status !== undefined) {
      generation.info.status = status;
      generation.cancelListeners.clear();
      generation.expiry = setTimeout(() => this.#drop(id), this.#ttlMs);
      generation.expiry.unref();
      this.#finished.add(id);
      for (const oldest of this.#finished) {
        if (this.#finished.size <= this.#maxFinished) break;
        this.#drop(oldest);
      }
    }
    for (const wake of generation.waiters) wake();
    generation.waiters.clear();
    return eventId;
  }

  read(id: string, afterId: string | undefined, signal: AbortSignal): AsyncIterable<GenerationEvent> {
    return this.#read(id, afterId, signal);
  }

  async *#read(id: string, afterId: string | undefined, signal: AbortSignal): AsyncGenerator<GenerationEvent> {
    const generation = this.#generations.get(id);
    if (generation === undefined) return;
    const { log, waiters } = generation;
    let index = startIndex(afterId, log.length);
    let wake: (() => void) | undefined;
    const onAbort = () => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        while (index < log.length) {
          const event = log[index++] as GenerationEvent;
          yield event;
          if (isTerminalEvent(event.type) || signal.aborted) return;
        }
        // Caught up: an ended log (a terminal event before afterId) has nothing more to give.
        if (generation.info.status !== 'running' || generation.closed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
          waiters.add(resolve);
        });
        if (wake !== undefined) waiters.delete(wake);
        wake = undefined;
        if (generation.closed) return;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (wake !== undefined) waiters.delete(wake);
    }
  }

  async requestCancel(id: string): Promise<void> {
    const generation = this.#generations.get(id);
    if (generation === undefined || generation.info.status !== 'running') return;
    for (const listener of [...generation.cancelListeners]) listener();
  }

  onCancelRequested(id: string, listener: () => void): () => void {
    const generation = this.#generations.get(id);
    if (generation === undefined) return () => undefined;
    generation.cancelListeners.add(listener);
    return () => generation.cancelListeners.delete(listener);
  }

  async attachViewer(id: string): Promise<() => Promise<void>> {
    const generation = this.#generations.get(id);
    if (generation === undefined) return async () => undefined;
    generation.viewers++;
    let attached = true;
    return async () => {
      if (!attached) return;
      attached = false;
      generation.viewers--;
    };
  }

  async viewerCount(id: string): Promise<number> {
    return this.#generations.get(id)?.viewers ?? 0;
  }

  async close(): Promise<void> {
    for (const generation of this.#generations.values()) {
      clearTimeout(generation.expiry);
      generation.closed = true;
      for (const wake of generation.waiters) wake();
    }
    this.#generations.clear();
    this.#finished.clear();
  }

  #drop(id: string): void {
    const generation = this.#generations.get(id);
    if (generation !== undefined) clearTimeout(generation.expiry);
    this.#generations.delete(id);
    this.#finished.delete(id);
  }

  /** How many generations are held (running and finished): for tests of the bound. */
  get size(): number {
    return this.#generations.size;
  }

  #require(id: string): Generation {
    const generation = this.#generations.get(id);
    if (generation === undefined) throw new Error(`Unknown generation ${id}`);
    return generation;
  }
}

/**
 * Where a reader starts: after `afterId` ("3" -> index 3). An id this log never issued replays from
 * the start: a duplicate is recoverable for a viewer, a gap is not.
 */
function startIndex(afterId: string | undefined, length: number): number {
  if (afterId === undefined || !/^\d{1,15}$/.test(afterId)) return 0;
  const index = Number(afterId);
  return index <= length ? index : 0;
}
