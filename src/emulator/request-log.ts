/**
 * What the emulator did with each request, for tests and the admin API: which model and operation,
 * the body, and how it ended. A test proves that a client's abort closed the upstream stream by
 * waiting for an entry whose outcome is `client-aborted`, and reading how many chunks had been sent.
 */

export type EmulatorOperation =
  'InvokeModel' | 'InvokeModelWithResponseStream' | 'Converse' | 'ConverseStream' | 'CountTokens';

export type RequestOutcome = 'pending' | 'completed' | 'error' | 'fault' | 'client-aborted';

export interface RequestLogEntry {
  id: number;
  requestId: string;
  operation: EmulatorOperation;
  modelId: string;
  body: unknown;
  /** From the SDK's `amz-sdk-request: attempt=N` header; 1 when absent. */
  attempt: number;
  startedAt: number;
  endedAt?: number;
  /** Events (chunks or Converse events) written to the client. */
  chunksSent: number;
  status: number;
  outcome: RequestOutcome;
  errorType?: string;
  /** The fault that was injected, when one was. */
  fault?: string;
  /** True when a scripted answer supplied the text instead of the backend. */
  scripted?: boolean;
  /** Names of the tools the request offered. */
  tools?: string[];
  /** The tool choice: `auto`, `any`, `none` or `tool:<name>`. */
  toolChoice?: string;
  /** How many tool results the last user turn carried. */
  toolResults?: number;
  /** The guardrail applied, its verdict and what it blocked. */
  guardrail?: {
    id: string;
    version: string;
    action: 'INTERVENED' | 'NONE';
    blocked?: { word: string; phase: 'input' | 'output' };
  };
  /** Prompt-cache tokens read and written. */
  cache?: { read: number; write: number };
  /** Service options the request asked for. */
  latency?: string;
  serviceTier?: string;
  requestMetadata?: Record<string, string>;
}

type Waiter = { predicate: (entry: RequestLogEntry) => boolean; resolve: (entry: RequestLogEntry) => void };

export class RequestLog {
  private readonly log: RequestLogEntry[] = [];
  private readonly waiters = new Set<Waiter>();
  private nextId = 1;

  constructor(private readonly capacity = 1_000) {}

  start(fields: Pick<RequestLogEntry, 'requestId' | 'operation' | 'modelId' | 'body' | 'attempt'>): RequestLogEntry {
    const entry: RequestLogEntry = {
      id: this.nextId++,
      ...fields,
      startedAt: Date.now(),
      chunksSent: 0,
      status: 200,
      outcome: 'pending',
    };
    this.log.push(entry);
    if (this.log.length > this.capacity) this.log.shift();
    return entry;
  }

  /** Records how a request ended and wakes tests waiting for it. */
  finish(
    entry: RequestLogEntry,
    outcome: Exclude<RequestOutcome, 'pending'>,
    details: Partial<RequestLogEntry> = {},
  ): void {
    if (entry.outcome !== 'pending') return;
    Object.assign(entry, details);
    entry.outcome = outcome;
    entry.endedAt = Date.now();
    for (const waiter of this.waiters) {
      if (waiter.predicate(entry)) {
        this.waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  }

  entries(): RequestLogEntry[] {
    return this.log.slice();
  }

  clear(): void {
    this.log.length = 0;
  }

  /** Resolves with the first finished entry matching `predicate` (already logged or still to come). */
  waitFor(predicate: (entry: RequestLogEntry) => boolean, timeoutMs = 5_000): Promise<RequestLogEntry> {
    const existing = this.log.find((entry) => entry.outcome !== 'pending' && predicate(entry));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(`No matching request finished within ${timeoutMs} ms; log: ${JSON.stringify(this.summary())}`),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private summary() {
    return this.log.map(({ id, operation, modelId, outcome, chunksSent }) => ({
      id,
      operation,
      modelId,
      outcome,
      chunksSent,
    }));
  }
}
