/**
 * Chooses the backend for each step: Redis while it answers; when it does not, this process's own books
 * (fail-open, one warning per outage) or a ServiceError (fail-closed). Redis is tried again at most once
 * a second during an outage and used as soon as it answers, without a restart. Each reservation keeps
 * the backend that admitted it and settles there, so nothing is counted twice across an outage.
 */
import { ServiceError } from '../errors.js';
import { MemoryQuotaBackend } from './memory-backend.js';
import type { QuotaBackend } from './types.js';

const RETRY_REDIS_MS = 1_000;

export class BackendSwitch {
  readonly primary: QuotaBackend;
  readonly #fallback: QuotaBackend | undefined;
  readonly #warn: (message: string) => void;
  #downSince: number | undefined;
  #retryAt = 0;

  constructor(primary: QuotaBackend, failOpen: boolean, warn: (message: string) => void) {
    this.primary = primary;
    this.#fallback = primary.kind === 'memory' || !failOpen ? undefined : new MemoryQuotaBackend();
    this.#warn = warn;
  }

  /** Whether calls are on this process's own books because Redis is down. */
  get degraded(): boolean {
    return this.#downSince !== undefined && this.#fallback !== undefined;
  }

  /** Runs a step on Redis, or where the outage rule says; answers which backend ran it. */
  async run<T>(step: (backend: QuotaBackend) => Promise<T>): Promise<{ value: T; backend: QuotaBackend }> {
    if (this.primary.kind === 'memory') return { value: await step(this.primary), backend: this.primary };
    const now = Date.now();
    if (this.#downSince === undefined || this.#fallback === undefined || now >= this.#retryAt) {
      try {
        const value = await step(this.primary);
        if (this.#downSince !== undefined) {
          this.#downSince = undefined;
          this.#warn('Quota limiter: Redis answers again; calls share the fleet-wide books again.');
        }
        return { value, backend: this.primary };
      } catch (error) {
        if (this.#fallback === undefined) throw unavailable(error);
        if (this.#downSince === undefined) {
          this.#downSince = now;
          this.#warn(
            `Quota limiter: Redis is unavailable (${message(error)}); calls go on with this process's own ` +
              'books until it answers again, so the fleet may exceed its quota meanwhile.',
          );
        }
        this.#retryAt = now + RETRY_REDIS_MS;
      }
    }
    return { value: await step(this.#fallback), backend: this.#fallback };
  }

  async close(): Promise<void> {
    await this.primary.close();
  }
}

function unavailable(cause: unknown): ServiceError {
  return new ServiceError(
    `The quota limiter cannot reach Redis (${message(cause)}), so the call was not sent. Bring Redis back, ` +
      'or set failOpen: true to let calls through on per-process books while it is down.',
    { code: 'QuotaBackendUnavailable', retryable: true, cause },
  );
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
