/**
 * InferenceStream: one call's stream, shaped like a MessageStream: async iterable of text deltas,
 * typed events(), running text/reasoning snapshots, finalResult(), abort(). Single consumer and
 * pull-based: nothing is read upstream until someone asks. An error reaches whoever consumes; a
 * finalResult() promise only stays unhandled when nobody else was told of the error.
 */
import { AbortError, BedrockInferenceError } from '../errors.js';
import { AttemptReads, EventPump, WAIT } from './event-pump.js';
import type { StreamEvent, TextEvent } from './stream-event.js';
import type { StreamStep } from './stream-run.js';
import type { StreamState } from './stream-state.js';
import { toAbortError, type CallScope } from './timeouts.js';
import type { InferenceResult, InferenceStream as InferenceStreamShape } from './types.js';

/** Single events, or an EventPump holding one socket read's events (taken here one by one). */
type EventSource = AsyncGenerator<StreamStep, InferenceResult, undefined>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const DONE_PROMISE: Promise<IteratorReturnResult<undefined>> = Promise.resolve(DONE);
const noop = () => undefined;

type Step<T> = (stream: BedrockInferenceStream, source: EventSource) => Promise<IteratorResult<T, undefined>>;
let stepText: Step<string>;
let stepEvent: Step<StreamEvent>;
let cancel: (stream: BedrockInferenceStream, source: EventSource) => Promise<void>;

/** The consumer's iterator: a small object with prototype methods, no closures per stream. */
class StreamIterator<T> implements AsyncIterableIterator<T> {
  readonly #stream: BedrockInferenceStream;
  readonly #source: EventSource;
  readonly #text: boolean;

  constructor(stream: BedrockInferenceStream, source: EventSource, text: boolean) {
    this.#stream = stream;
    this.#source = source;
    this.#text = text;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    return ((this.#text ? stepText : stepEvent) as unknown as Step<T>)(this.#stream, this.#source);
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    await cancel(this.#stream, this.#source);
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export class BedrockInferenceStream implements InferenceStreamShape {
  readonly #scope: CallScope;
  readonly #state: StreamState;
  readonly #open: () => EventSource;
  #claimed = false;
  #settled = false;
  #source: EventSource | undefined;
  /** The read whose events are being handed over (the hot path: no generator step per event). */
  #batch: EventPump | undefined;
  /** The current attempt's reads, stepped here until the attempt ends (see AttemptReads). */
  #reads: AttemptReads | undefined;
  /** A next() is in flight: an abort will reach the consumer through it. */
  #pulling = false;
  /** A failure no consumer has seen yet (abort while nobody was pulling). */
  #undelivered: BedrockInferenceError | undefined;
  /** How the call ended, kept for a finalResult() asked for later. */
  #result: InferenceResult | undefined;
  #error: BedrockInferenceError | undefined;
  /** Created only when finalResult() is asked for: most streams are iterated, and a promise per stream costs. */
  #userResult: Promise<InferenceResult> | undefined;
  #resolve: ((result: InferenceResult) => void) | undefined;
  #reject: ((error: BedrockInferenceError) => void) | undefined;

  /** `open` starts the call; it runs when the first consumer pulls. */
  constructor(scope: CallScope, state: StreamState, open: () => EventSource) {
    this.#scope = scope;
    this.#state = state;
    this.#open = open;
    // Told directly by our own scope (no listener on its signal). An abort must settle even an idle stream.
    scope.onAbort = () => this.#onAbort();
  }

  get text(): string {
    return this.#state.text;
  }

  get reasoning(): string {
    return this.#state.reasoning;
  }

  get signal(): AbortSignal {
    return this.#scope.signal;
  }

  abort(reason?: unknown): void {
    this.#scope.abort(toAbortError(reason, 'The stream was aborted by abort()'));
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return new StreamIterator<string>(this, this.#claim(), true);
  }

  events(): AsyncIterableIterator<StreamEvent> {
    return new StreamIterator<StreamEvent>(this, this.#claim(), false);
  }

  static {
    // The iterators reach the private steps through these (one pair per module, not per stream).
    stepText = (stream, source) => stream.#nextText(source);
    stepEvent = (stream, source) => stream.#nextEvent(source);
    cancel = (stream, source) => stream.#cancel(source);
  }

  /**
   * The result once the stream completes. Called alone, it consumes the stream itself; called beside
   * an iteration started in the same tick, it waits for that iteration.
   */
  finalResult(): Promise<InferenceResult> {
    if (this.#userResult === undefined) {
      if (this.#error !== undefined) this.#userResult = Promise.reject(this.#error);
      else if (this.#result !== undefined) this.#userResult = Promise.resolve(this.#result);
      else {
        this.#userResult = new Promise<InferenceResult>((resolve, reject) => {
          this.#resolve = resolve;
          this.#reject = reject;
        });
      }
      if (!this.#claimed) {
        queueMicrotask(() => {
          if (!this.#claimed) void this.#drain();
        });
      }
    }
    return this.#userResult;
  }

  #claim(): EventSource {
    if (this.#claimed) {
      throw new Error(
        'An InferenceStream has one consumer: iterate it or its events() once (finalResult() waits for it).',
      );
    }
    this.#claimed = true;
    this.#source = this.#open();
    return this.#source;
  }

  /** Aborted while nobody pulls: close upstream now and settle; the next pull throws the error. */
  #onAbort(): void {
    if (this.#settled || this.#pulling) return;
    const reason = this.#fail(this.#scope.reason, false);
    this.#undelivered = reason;
    void this.#source?.return(undefined as never).catch(noop);
  }

  /** Before pulling: an idle-time failure is thrown to the consumer once; a settled stream is done. */
  #checkSettled(): boolean {
    const failure = this.#undelivered;
    if (failure !== undefined) {
      this.#undelivered = undefined;
      this.#userResult?.catch(noop);
      throw failure;
    }
    return this.#settled;
  }

  // next() without an async frame: an event already decoded is handed over at once; only an empty pump
  // suspends, in #pull alone (a suspended async function costs every waiting stream ~400 bytes).
  #nextEvent(source: EventSource): Promise<IteratorResult<StreamEvent, undefined>> {
    try {
      if (this.#checkSettled()) return DONE_PROMISE;
      const event = this.#batch?.take(this.#state);
      if (event !== undefined) return Promise.resolve({ done: false, value: event });
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.#pull(source, false) as Promise<IteratorResult<StreamEvent, undefined>>;
  }

  #nextText(source: EventSource): Promise<IteratorResult<string, undefined>> {
    try {
      if (this.#checkSettled()) return DONE_PROMISE;
      const event = this.#batch && this.#takeText(this.#batch);
      if (event !== undefined) return Promise.resolve({ done: false, value: event.delta });
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.#pull(source, true) as Promise<IteratorResult<string, undefined>>;
  }

  /** Steps the generator until it gives an event (a text delta when `textOnly`); DONE once it is done. */
  async #pull(source: EventSource, textOnly: boolean): Promise<IteratorResult<StreamEvent | string, undefined>> {
    this.#pulling = true;
    try {
      for (;;) {
        let step: IteratorResult<StreamStep, InferenceResult> | undefined;
        const reads = this.#reads;
        if (reads !== undefined) {
          // The hot path, inline: the attempt's pump once it holds events again, taken here.
          let pump: EventPump | undefined | typeof WAIT;
          try {
            pump = reads.poll();
            while (pump === WAIT) {
              await reads.wait();
              pump = reads.poll();
            }
          } catch (error) {
            // What ended the attempt goes to the generator, which retries, resumes or fails the call.
            this.#reads = undefined;
            pump = undefined;
            step = await source.throw(error);
          }
          if (pump !== undefined) {
            this.#batch = pump;
            const event = textOnly ? this.#takeText(pump) : pump.take(this.#state);
            if (event !== undefined) return this.#iteratorResult(event, textOnly);
            continue;
          }
          this.#reads = undefined;
        }
        step ??= await source.next();
        if (step.done === true) {
          this.#succeed(step.value);
          return DONE;
        }
        const value = step.value;
        if (value instanceof AttemptReads) {
          this.#reads = value;
        } else if (value instanceof EventPump) {
          this.#batch = value;
          const event = textOnly ? this.#takeText(value) : value.take(this.#state);
          if (event !== undefined) return this.#iteratorResult(event, textOnly);
        } else if (!textOnly || value.type === 'text') {
          return this.#iteratorResult(value, textOnly);
        }
      }
    } catch (error) {
      throw this.#fail(error, true);
    } finally {
      this.#pulling = false;
    }
  }

  #iteratorResult(event: StreamEvent, textOnly: boolean): IteratorResult<StreamEvent | string, undefined> {
    return { done: false, value: textOnly ? (event as TextEvent).delta : event };
  }

  /** The current attempt's pump once it holds events again, else the stream generator's next step. */
  async #advance(source: EventSource): Promise<IteratorResult<StreamStep, InferenceResult>> {
    const reads = this.#reads;
    if (reads !== undefined) {
      let pump: EventPump | undefined | typeof WAIT;
      try {
        pump = reads.poll();
        while (pump === WAIT) {
          await reads.wait();
          pump = reads.poll();
        }
      } catch (error) {
        // What ended the attempt goes to the generator, which retries, resumes or fails the call.
        this.#reads = undefined;
        return source.throw(error);
      }
      if (pump !== undefined) return { done: false, value: pump };
      this.#reads = undefined;
    }
    return source.next();
  }

  /** The read's next text event; the other events are applied and passed over. */
  #takeText(batch: EventPump): TextEvent | undefined {
    for (let event = batch.take(this.#state); event !== undefined; event = batch.take(this.#state)) {
      if (event.type === 'text') return event;
    }
    return undefined;
  }

  async #drain(): Promise<void> {
    const source = this.#claim();
    this.#pulling = true;
    try {
      for (;;) {
        if (this.#settled) return;
        const step = await this.#advance(source);
        if (step.done === true) {
          this.#succeed(step.value);
          return;
        }
        const value = step.value;
        if (value instanceof AttemptReads) this.#reads = value;
        else if (value instanceof EventPump) while (value.take(this.#state) !== undefined);
      }
    } catch (error) {
      this.#fail(error, false);
    } finally {
      this.#pulling = false;
    }
  }

  /** The consumer stopped early (break, return): close upstream; the call ends as aborted. */
  async #cancel(source: EventSource): Promise<void> {
    if (!this.#settled) {
      this.#scope.abort(
        new AbortError('The consumer stopped reading the stream; the upstream request was closed.', {
          partialText: this.#state.text,
        }),
      );
    }
    this.#undelivered = undefined;
    this.#batch = undefined;
    this.#reads = undefined;
    await source.return(undefined as never).catch(noop);
    this.#fail(this.#scope.reason, true);
    // The consumer chose to stop: a pending finalResult() rejection is expected, not unhandled.
    this.#userResult?.catch(noop);
  }

  #succeed(result: InferenceResult): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#result = result;
    this.#resolve?.(result);
  }

  /** Settles with the error; `delivered` when a consumer saw it, so finalResult() need not shout. */
  #fail(error: unknown, delivered: boolean): BedrockInferenceError {
    const failure = BedrockInferenceError.isInstance(error)
      ? error
      : new BedrockInferenceError(`The stream failed: ${String(error)}`, {
          cause: error,
          partialText: this.#state.text,
        });
    if (!this.#settled) {
      this.#settled = true;
      if (failure.partialText === '') failure.partialText = this.#state.text;
      this.#error = failure;
      this.#reject?.(failure);
      if (delivered) this.#userResult?.catch(noop);
    }
    return failure;
  }
}
