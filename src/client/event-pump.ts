/**
 * The per-chunk hot path of a streaming attempt, kept out of the stream generator. The decoder hands it
 * each event frame of a read (a FrameSink), which it decodes synchronously into two aligned queues: the
 * state update to apply and the event to hand over at each step. The InferenceStream takes the events
 * one by one (`take`), applying each state update as its event is handed over, so the caller's view
 * (text, partial text on break) advances exactly with what it has been given. Per event that is a few
 * field reads, no generator step and no promise; reads keep appending while the consumer takes.
 */
import type { ChunkEvent, StreamEvent, TextEvent } from './stream-event.js';
import type { StreamState } from './stream-state.js';
import type { ChunkEventSink } from '../models/types.js';
import type { EventStreamMessage, FrameSink } from './event-stream/decoder.js';
import type { Rechunker } from './chunking.js';
import type { Stitcher } from './resume.js';
import type { FrameDecoder } from './upstream.js';

export class EventPump implements FrameSink {
  /**
   * At step i: apply `#applies[i]` to the state (when set), then yield `#events[i]` (when set). Slots
   * [#next, #size) are pending; the arrays keep their capacity between reads (emptying an array with
   * `length = 0` drops its backing store, which the next push would allocate again).
   */
  readonly #applies: (ChunkEvent | undefined)[] = [];
  readonly #events: (StreamEvent | undefined)[] = [];
  #size = 0;
  /** A text, reasoning or tool-call event arrived in this attempt. */
  content = false;
  /** The stop event arrived in this attempt. */
  stopped = false;
  /** A message that is not an event (exception or error frame), reported after the steps before it. */
  unexpected: EventStreamMessage | undefined;
  /** A payload that could not be decoded, thrown after the steps before it. */
  failure: unknown;
  /** Continuation overlap to drop (after a resume). */
  stitcher: Stitcher | undefined;

  /** What the adapter emitted for the current frame: [0, #decodedCount), capacity kept likewise. */
  readonly #decoded: (ChunkEvent | undefined)[] = [];
  #decodedCount = 0;
  #next = 0;
  readonly #sink: ChunkEventSink = (event) => {
    this.#decoded[this.#decodedCount++] = event;
  };
  readonly #rechunker: Rechunker | undefined;
  #decode: FrameDecoder | undefined;

  constructor(rechunker: Rechunker | undefined) {
    this.#rechunker = rechunker;
  }

  /** The adapter's decoders take this sink; one sink per stream, reused by every attempt. */
  get sink(): ChunkEventSink {
    return this.#sink;
  }

  /** Steps not handed over yet. */
  get pending(): number {
    return this.#size - this.#next;
  }

  /** The attempt's decoding ended (an exception frame or an undecodable payload): later frames are ignored. */
  get closed(): boolean {
    return this.unexpected !== undefined || this.failure !== undefined;
  }

  /** A new attempt: its decoder; flags reset. */
  startAttempt(decode: FrameDecoder): void {
    this.#decode = decode;
    this.content = false;
    this.stopped = false;
    this.clear();
  }

  clear(): void {
    for (let i = this.#next; i < this.#size; i++) {
      this.#applies[i] = undefined;
      this.#events[i] = undefined;
    }
    this.#next = 0;
    this.#size = 0;
    this.#clearDecoded();
    this.unexpected = undefined;
    this.failure = undefined;
  }

  /** The next event to hand over, its state update applied first; undefined once the queue is used up. */
  take(state: StreamState): StreamEvent | undefined {
    const applies = this.#applies;
    const events = this.#events;
    while (this.#next < this.#size) {
      const i = this.#next++;
      const apply = applies[i];
      const event = events[i];
      // Taken slots let go of their events: the arrays outlive them.
      applies[i] = undefined;
      events[i] = undefined;
      if (apply !== undefined) state.apply(apply);
      if (event !== undefined) return event;
    }
    // Used up: start the queues over (cheaper than shifting, and bounded by the reader's pause).
    this.#next = 0;
    this.#size = 0;
    return undefined;
  }

  /** FrameSink: one event frame, decoded into the queues (nothing once the attempt's decoding ended). */
  event(eventType: string | undefined, bytes: Uint8Array, start: number, end: number): void {
    if (this.closed) return;
    try {
      this.#decode!(eventType, bytes, start, end);
    } catch (error) {
      // A chunk that fails half-way hands over none of its events.
      this.failure = error;
      this.#clearDecoded();
      return;
    }
    const decoded = this.#decoded;
    const count = this.#decodedCount;
    for (let i = 0; i < count; i++) this.#step(decoded[i]!);
    this.#clearDecoded();
  }

  #clearDecoded(): void {
    const decoded = this.#decoded;
    for (let i = 0; i < this.#decodedCount; i++) decoded[i] = undefined;
    this.#decodedCount = 0;
  }

  /** FrameSink: an exception or error frame ends the attempt's decoding. */
  message(message: EventStreamMessage): void {
    if (!this.closed) this.unexpected = message;
  }

  #step(event: ChunkEvent): void {
    // Text first and alone: this runs for every chunk and stays small enough for V8 to inline.
    if (event.type === 'text') {
      this.content = true;
      this.#text(event);
      return;
    }
    this.#stepOther(event);
  }

  #stepOther(event: Exclude<ChunkEvent, { type: 'text' }>): void {
    switch (event.type) {
      case 'reasoning':
        this.content = true;
        break;
      case 'tool-call-start': {
        // Re-chunked text held back goes out before the call, so the order stays the model's.
        const rest = this.#rechunker?.flush();
        if (rest !== undefined) this.#push(undefined, { type: 'text', delta: rest });
        this.content = true;
        break;
      }
      case 'tool-call-delta':
      case 'tool-call':
        // A tool call is content too: a break after it is an interruption, never a silent retry.
        this.content = true;
        break;
      case 'stop': {
        this.stopped = true;
        const rest = this.#rechunker?.flush();
        if (rest !== undefined) this.#push(undefined, { type: 'text', delta: rest });
        break;
      }
      default:
        break;
    }
    this.#push(event, event);
  }

  /** Stitch the continuation overlap away, count the text, and re-chunk it when asked to. */
  #text(event: TextEvent): void {
    let text = event;
    if (this.stitcher !== undefined) {
      const delta = this.stitcher.take(text.delta);
      if (delta === '') return;
      if (delta !== text.delta) text = { type: 'text', delta };
    }
    if (this.#rechunker === undefined) {
      this.#push(text, text);
      return;
    }
    const released = this.#rechunker.push(text.delta);
    this.#push(text, released === undefined ? undefined : { type: 'text', delta: released });
  }

  #push(apply: ChunkEvent | undefined, event: StreamEvent | undefined): void {
    const i = this.#size++;
    if (i < this.#applies.length) {
      this.#applies[i] = apply;
      this.#events[i] = event;
    } else {
      this.#applies.push(apply);
      this.#events.push(event);
    }
  }
}

/** What AttemptReads.poll() returns while the pump is used up and the body has more to come. */
export const WAIT: unique symbol = Symbol('wait');

/**
 * One attempt's reads, handed to the consumer side as a whole: it polls them itself whenever the pump is
 * used up and only goes back to the stream generator when the attempt ends, normally (undefined) or by
 * throwing (then it throws the error into the generator, which retries, resumes or fails). So the
 * generator with the retry/resume logic runs once per attempt, not once per read; polling is synchronous
 * and only an empty pump costs a wait (one promise, one suspended frame per open stream).
 */
export abstract class AttemptReads {
  /** The pump when it holds events, undefined once the body ended, else WAIT; throws what ended the attempt. */
  abstract poll(): EventPump | undefined | typeof WAIT;
  /** Resolves at the body's next read, end or failure; poll again then. */
  abstract wait(): Promise<void>;
}
