/**
 * A chat stream: one generation's events from the server, as an async iterator, callbacks and a
 * running snapshot. It reconnects when the connection drops (re-attaching with `Last-Event-ID`, so
 * nothing is lost or doubled), ends with exactly one terminal event whatever happens, and stops for
 * real: the fetch is aborted and the generation cancelled upstream, even when the stop comes before
 * the server said the generation's id.
 */
import type { ChatEvent, ChatSnapshot, ErrorEvent, TerminalEvent } from './chat-events.js';
import { isTerminalEvent } from './chat-events.js';
import { initialChatState, isTerminal, nextChatState, type ChatStateInput } from './chat-state.js';
import { parseEvent } from './parse-event.js';
import {
  ChatHttpError,
  ConnectionLost,
  headers,
  openSse,
  url,
  type ClientOptions,
  type SseResponse,
} from './sse-request.js';

export interface ReconnectOptions {
  /** Attempts in a row before giving up (default 8). */
  maxAttempts?: number;
  /** First delay, doubled each attempt with jitter (default 250 ms). */
  initialDelayMs?: number;
  /** Longest delay (default 4 000 ms). */
  maxDelayMs?: number;
}

export interface StreamOptions extends ClientOptions {
  signal?: AbortSignal;
  /** `false` turns reconnecting off. */
  reconnect?: ReconnectOptions | false;
  onEvent?: (event: ChatEvent, snapshot: ChatSnapshot) => void;
}

export interface ChatStream extends AsyncIterable<ChatEvent> {
  /** The answer so far and the state; kept after errors. */
  readonly snapshot: ChatSnapshot;
  readonly generationId: string | undefined;
  /** Resolves with the final snapshot once the terminal event was delivered (never rejects). */
  readonly finished: Promise<ChatSnapshot>;
  /** Stops: ends the stream with `cancelled` at once; resolves when the server was told. */
  stop(): Promise<void>;
}

/** How a stream starts and how it re-attaches. */
export interface StreamSource {
  open(signal: AbortSignal): Promise<SseResponse>;
  /** Whether stopping cancels the generation upstream (the owner's stream) or just detaches (a watcher). */
  cancels: boolean;
  /** The share token a watcher re-attaches with. */
  share?: string;
  /** Text the answer already had (a continuation's prefill). */
  initialText?: string;
}

const STOP_WAIT_FOR_ID_MS = 10_000;

export class ChatStreamRun implements ChatStream {
  readonly snapshot: ChatSnapshot;
  readonly finished: Promise<ChatSnapshot>;
  private resolveFinished!: (snapshot: ChatSnapshot) => void;
  private readonly controller = new AbortController();
  private readonly buffer: ChatEvent[] = [];
  private wake: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private stopRequested = false;
  private headersArrived: (() => void) | undefined;
  private readonly reconnect: Required<ReconnectOptions> | undefined;

  constructor(
    private readonly source: StreamSource,
    private readonly options: StreamOptions,
  ) {
    this.snapshot = {
      text: source.initialText ?? '',
      reasoning: '',
      state: initialChatState,
      textEvents: 0,
      startedAt: Date.now(),
    };
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.reconnect =
      options.reconnect === false
        ? undefined
        : { maxAttempts: 8, initialDelayMs: 250, maxDelayMs: 4_000, ...options.reconnect };
    const signal = options.signal;
    if (signal?.aborted) queueMicrotask(() => void this.stop());
    else signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    void this.run();
  }

  get generationId(): string | undefined {
    return this.snapshot.generationId;
  }

  stop(): Promise<void> {
    if (this.stopping === undefined) {
      this.stopRequested = true;
      this.stopping = this.stopUpstream();
    }
    return this.stopping;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ChatEvent> {
    for (;;) {
      const event = this.buffer.shift();
      if (event !== undefined) {
        yield event;
        if (isTerminalEvent(event)) return;
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private readonly onCallerAbort = (): void => void this.stop();

  private async run(): Promise<void> {
    this.input({ type: 'submit' });
    let open = (signal: AbortSignal) => this.source.open(signal);
    let attempts = 0;
    while (!isTerminal(this.snapshot.state)) {
      try {
        const response = await open(this.controller.signal);
        if (this.snapshot.generationId === undefined && response.generationId !== undefined) {
          this.snapshot.generationId = response.generationId;
        }
        this.headersArrived?.();
        if (attempts > 0) this.deliver({ type: 'reconnected' });
        this.input({ type: 'response' });
        for await (const message of response.events) {
          if (message.id !== undefined) this.snapshot.lastEventId = message.id;
          const event = parseEvent(message, this.snapshot.text);
          if (event.type === 'start') this.snapshot.generationId ??= event.id;
          if (event.type === 'text' || event.type === 'reasoning') attempts = 0;
          this.deliver(event);
          if (isTerminal(this.snapshot.state)) return;
        }
        throw new ConnectionLost('The stream ended before the answer finished.');
      } catch (error) {
        if (isTerminal(this.snapshot.state)) return;
        const id = this.snapshot.generationId;
        if (
          error instanceof ConnectionLost &&
          id !== undefined &&
          this.reconnect !== undefined &&
          attempts < this.reconnect.maxAttempts
        ) {
          attempts += 1;
          const delayMs = backoff(attempts, this.reconnect);
          this.deliver({ type: 'reconnecting', attempt: attempts, delayMs });
          await sleep(delayMs, this.controller.signal);
          open = (signal) => this.reattach(id, signal);
          continue;
        }
        this.deliver(this.failure(error, attempts > 0));
      }
    }
  }

  private reattach(id: string, signal: AbortSignal): Promise<SseResponse> {
    const query = this.source.share === undefined ? '' : `?share=${encodeURIComponent(this.source.share)}`;
    const last = this.snapshot.lastEventId;
    return openSse(this.options, `/api/generations/${encodeURIComponent(id)}/events${query}`, {
      headers: headers(this.options, last === undefined ? {} : { 'last-event-id': last }),
      signal,
    });
  }

  private failure(error: unknown, reattaching: boolean): ErrorEvent {
    const partialText = this.snapshot.text;
    if (error instanceof ChatHttpError) {
      if (reattaching && error.status === 404) {
        return {
          type: 'error',
          errorType: 'GenerationLost',
          message: 'The generation is no longer on the server; the partial answer is kept.',
          retryable: true,
          partialText,
          status: 404,
        };
      }
      const event: ErrorEvent = {
        type: 'error',
        errorType: error.errorType,
        message: error.message,
        retryable: error.retryable,
        partialText,
        status: error.status,
      };
      if (error.field !== undefined) event.field = error.field;
      if (error.fix !== undefined) event.fix = error.fix;
      if (error.retryAfterMs !== undefined) event.retryAfterMs = error.retryAfterMs;
      return event;
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      type: 'error',
      errorType: 'NetworkError',
      message: reattaching ? `Could not reconnect: ${message}` : message,
      retryable: true,
      partialText,
    };
  }

  /** Ends the stream as stopped now; tells the server in the background (after the id is known). */
  private async stopUpstream(): Promise<void> {
    if (!isTerminal(this.snapshot.state)) {
      this.deliver({ type: 'cancelled', partialText: this.snapshot.text, reason: 'stopped' });
    }
    if (this.source.cancels && this.snapshot.generationId === undefined && !this.controller.signal.aborted) {
      // The server holds /api/chat's headers until the first content: wait for the id rather than lose the stop.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_WAIT_FOR_ID_MS);
        this.headersArrived = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const id = this.snapshot.generationId;
    if (this.source.cancels && id !== undefined) {
      await cancelGeneration(id, this.options).catch(() => undefined);
    }
    this.controller.abort();
  }

  private input(input: ChatStateInput): void {
    this.snapshot.state = nextChatState(this.snapshot.state, input);
  }

  private deliver(event: ChatEvent): void {
    if (isTerminal(this.snapshot.state)) return;
    const s = this.snapshot;
    switch (event.type) {
      case 'text':
        s.text += event.text;
        s.textEvents += 1;
        s.firstTokenAt ??= Date.now();
        break;
      case 'reasoning':
        s.reasoning += event.text;
        s.firstTokenAt ??= Date.now();
        break;
      case 'start':
        s.model = event.model;
        break;
      case 'usage':
        s.usage = { inputTokens: event.inputTokens, outputTokens: event.outputTokens, source: event.source };
        break;
      case 'done':
        s.stopReason = event.stopReason;
        if (event.usage !== undefined) s.usage = event.usage;
        break;
      case 'error':
        s.error = event;
        break;
      default:
        break;
    }
    this.input(event);
    if (isTerminalEvent(event)) this.end(event);
    this.buffer.push(event);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    try {
      this.options.onEvent?.(event, s);
    } catch (error) {
      // A failing callback must not break the stream; it still surfaces.
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  private end(_event: TerminalEvent): void {
    this.snapshot.endedAt = Date.now();
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
    this.headersArrived?.();
    // A stop that still has to cancel upstream aborts the request itself, once the server knows.
    if (!(this.source.cancels && this.stopRequested)) this.controller.abort();
    this.resolveFinished(this.snapshot);
  }
}

/** POST /api/generations/:id/cancel. */
export async function cancelGeneration(id: string, options: ClientOptions): Promise<void> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const response = await doFetch(url(options, `/api/generations/${encodeURIComponent(id)}/cancel`), {
    method: 'POST',
    headers: headers(options),
  });
  await response.body?.cancel().catch(() => undefined);
}

function backoff(attempt: number, options: Required<ReconnectOptions>): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
