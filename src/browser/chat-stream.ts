/**
 * A chat stream: one generation's events from the server, as an async iterator, callbacks and a
 * running snapshot. It re-attaches when the connection drops (with `Last-Event-ID`, so nothing is
 * lost or doubled), ends with exactly one terminal event whatever happens, and stops for real: the
 * request is aborted and the generation cancelled upstream, even when the stop comes before the
 * server said the generation's id.
 */
import type { ChatEvent, ChatSnapshot } from './chat-events.js';
import { isTerminalEvent } from './chat-events.js';
import { applyEvent, newSnapshot } from './chat-snapshot.js';
import { isTerminal } from './chat-state.js';
import { ChatHttpError, ConnectionLost, toErrorEvent } from './errors.js';
import { generationPath, requestJson, type ClientOptions } from './http.js';
import { parseEvent } from './parse-event.js';
import {
  backoff,
  reconnectPolicy,
  settledWithin,
  sleep,
  type ReconnectOptions,
  type ReconnectPolicy,
} from './reconnect.js';
import { openSse, type SseResponse } from './sse-request.js';

export interface StreamOptions extends ClientOptions {
  /** Aborting it is the same as `stop()`. */
  signal?: AbortSignal | undefined;
  /** `false` turns re-attaching off. */
  reconnect?: ReconnectOptions | false | undefined;
  /** Every event, with the snapshot after it; called even when nobody iterates. */
  onEvent?: ((event: ChatEvent, snapshot: ChatSnapshot) => void) | undefined;
}

export interface ChatStream extends AsyncIterable<ChatEvent> {
  /** The answer so far and the state; kept after errors. */
  readonly snapshot: ChatSnapshot;
  readonly generationId: string | undefined;
  /** Resolves with the final snapshot at the terminal event (never rejects). */
  readonly finished: Promise<ChatSnapshot>;
  /** Ends the stream with `cancelled` at once; resolves once the server was told (owner streams cancel, watchers detach). */
  stop(): Promise<void>;
}

/** How a stream starts and re-attaches. */
export interface StreamSource {
  /** The first request; without it, the stream attaches to `generationId` (a watcher). */
  open?: (signal: AbortSignal) => Promise<SseResponse>;
  /** Whether stop() cancels the generation upstream (its owner) or only detaches (a watcher). */
  cancels: boolean;
  generationId?: string;
  /** The share token a watcher attaches with. */
  share?: string;
  /** Replay only what follows this event id. */
  lastEventId?: string;
  /** Text the answer already had (a continuation's prefill). */
  initialText?: string;
}

/** A stop before the generation id arrived waits this long for the response headers that carry it. */
const STOP_WAIT_FOR_ID_MS = 10_000;

export class ChatStreamRun implements ChatStream {
  readonly snapshot: ChatSnapshot;
  readonly finished: Promise<ChatSnapshot>;
  private resolveFinished!: (snapshot: ChatSnapshot) => void;
  private readonly controller = new AbortController();
  private readonly policy: ReconnectPolicy | undefined;
  private readonly buffer: ChatEvent[] = [];
  private wake: (() => void) | undefined;
  private iterated = false;
  /** The request whose headers are on their way: a stop before the id is known waits for it. */
  private opening: Promise<SseResponse> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly source: StreamSource,
    private readonly options: StreamOptions,
  ) {
    this.snapshot = newSnapshot(source.initialText ?? '');
    if (source.generationId !== undefined) this.snapshot.generationId = source.generationId;
    if (source.lastEventId !== undefined) this.snapshot.lastEventId = source.lastEventId;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.policy = reconnectPolicy(options.reconnect);
    const signal = options.signal;
    if (signal?.aborted) {
      // Stopped before it began: no request at all, just the terminal event.
      queueMicrotask(() => void this.stop());
      return;
    }
    signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.run().catch((error: unknown) => this.deliver(toErrorEvent(error, this.snapshot.text, false)));
  }

  get generationId(): string | undefined {
    return this.snapshot.generationId;
  }

  stop(): Promise<void> {
    if (this.stopping === undefined) {
      if (isTerminal(this.snapshot.state)) {
        // Already over (done, error, or cancelled by the server): nothing is left to stop upstream.
        this.stopping = Promise.resolve();
        this.controller.abort();
      } else {
        this.stopping = Promise.resolve().then(() => this.cancelUpstream());
        this.deliver({ type: 'cancelled', partialText: this.snapshot.text, reason: 'stopped' });
      }
    }
    return this.stopping;
  }

  /** One consumer, from the first event; leaving the loop before the terminal event (`break`) stops the stream. */
  async *[Symbol.asyncIterator](): AsyncIterator<ChatEvent> {
    if (this.iterated) throw new Error('A ChatStream has one consumer: iterate it once, or use onEvent.');
    this.iterated = true;
    let ended = false;
    try {
      while (!ended) {
        const event = this.buffer.shift();
        if (event !== undefined) {
          ended = isTerminalEvent(event);
          yield event;
        } else if (isTerminal(this.snapshot.state)) {
          return; // the terminal event was taken already
        } else {
          await new Promise<void>((resolve) => (this.wake = resolve));
        }
      }
    } finally {
      if (!ended) void this.stop();
    }
  }

  private readonly onCallerAbort = (): void => void this.stop();

  private async run(): Promise<void> {
    let attempts = 0;
    let attaching = this.source.open === undefined;
    while (!isTerminal(this.snapshot.state)) {
      try {
        const response = await this.send(attaching);
        if (isTerminal(this.snapshot.state)) return; // stopped while the headers were on their way
        if (attempts > 0) this.deliver({ type: 'reconnected' });
        applyEvent(this.snapshot, { type: 'response' });
        for await (const message of response.events) {
          // The id and the text move together, so a re-attach resumes exactly after what we have.
          if (message.id !== undefined) this.snapshot.lastEventId = message.id;
          const event = parseEvent(message, this.snapshot.text);
          if (event === undefined) continue;
          if (event.type === 'start') this.snapshot.generationId ??= event.id;
          if (event.type === 'text' || event.type === 'reasoning' || event.type.startsWith('tool-')) attempts = 0;
          this.deliver(event);
          if (isTerminal(this.snapshot.state)) return;
        }
        throw new ConnectionLost('The stream ended before the answer finished.');
      } catch (error) {
        if (isTerminal(this.snapshot.state)) return;
        if (this.policy === undefined || !this.mayReconnect(error, attaching, attempts, this.policy)) {
          this.deliver(toErrorEvent(error, this.snapshot.text, attempts > 0));
          return;
        }
        attempts += 1;
        const delayMs = backoff(attempts, this.policy);
        this.deliver({ type: 'reconnecting', attempt: attempts, delayMs });
        await sleep(delayMs, this.controller.signal);
        attaching = true;
      }
    }
  }

  private mayReconnect(error: unknown, attaching: boolean, attempts: number, policy: ReconnectPolicy): boolean {
    if (this.snapshot.generationId === undefined || attempts >= policy.maxAttempts) return false;
    if (error instanceof ConnectionLost) return true;
    // A proxy's 502 or a restarting server in front of the generation may pass; 404 means it is gone.
    return attaching && error instanceof ChatHttpError && error.retryable && error.status !== 404;
  }

  /** The first request, or a re-attach; notes the generation id from the response headers. */
  private send(attaching: boolean): Promise<SseResponse> {
    const signal = this.controller.signal;
    const open = this.source.open;
    const request = attaching || open === undefined ? this.attach(signal) : open(signal);
    this.opening = request.then((response) => {
      if (this.snapshot.generationId === undefined && response.generationId !== undefined) {
        this.snapshot.generationId = response.generationId;
      }
      return response;
    });
    return this.opening;
  }

  /** GET /api/generations/:id/events, replaying only what follows the last event we have. */
  private attach(signal: AbortSignal): Promise<SseResponse> {
    const share = this.source.share;
    const query = share === undefined ? '' : `?share=${encodeURIComponent(share)}`;
    return openSse(this.options, {
      method: 'GET',
      path: `${generationPath(this.snapshot.generationId ?? '', 'events')}${query}`,
      lastEventId: this.snapshot.lastEventId,
      signal,
    });
  }

  /** Tells the server (after waiting for the id if it is still on its way), then closes the request. */
  private async cancelUpstream(): Promise<void> {
    if (this.source.cancels && this.snapshot.generationId === undefined && this.opening !== undefined) {
      // The server may hold /api/chat's headers until the first content: wait for the id rather than lose the stop.
      await settledWithin(this.opening, STOP_WAIT_FOR_ID_MS);
    }
    const id = this.snapshot.generationId;
    const told =
      this.source.cancels && id !== undefined
        ? requestJson(this.options, 'POST', generationPath(id, 'cancel')).then(
            () => undefined,
            () => undefined,
          )
        : undefined;
    this.controller.abort();
    await told;
  }

  private deliver(event: ChatEvent): void {
    if (isTerminal(this.snapshot.state)) return;
    applyEvent(this.snapshot, event);
    if (isTerminalEvent(event)) this.end();
    this.buffer.push(event);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    try {
      this.options.onEvent?.(event, this.snapshot);
    } catch (error) {
      // A failing callback must not break the stream, nor vanish: it surfaces as an uncaught error.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private end(): void {
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
    // After a stop, cancelUpstream closes the request itself, once it no longer needs the headers.
    if (this.stopping === undefined) this.controller.abort();
    this.resolveFinished(this.snapshot);
  }
}
