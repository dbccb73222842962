/**
 * The per-read hot path of a streaming attempt, kept out of the stream generator: a whole socket read's
 * messages are decoded synchronously into two aligned queues, the state update to apply and the event
 * to hand over at each step. The stream generator yields the pump once per read and the InferenceStream
 * takes its events one by one (`take`), applying each state update as its event is handed over, so the
 * caller's view (text, partial text on break) advances exactly with what it has been given. Per event
 * that is a few field reads, no generator step; the retry/resume generator runs once per read only.
 */
import type { ChunkEvent, StreamEvent, TextEvent } from './stream-event.js';
import type { StreamState } from './stream-state.js';
import type { ChunkEventSink } from '../models/types.js';
import type { EventStreamMessage } from './event-stream/decoder.js';
import type { Rechunker } from './chunking.js';
import type { Stitcher } from './resume.js';
import type { MessageDecoder } from './upstream.js';

export class EventPump {
  /** At step i: apply `applies[i]` to the state (when set), then yield `events[i]` (when set). */
  readonly applies: (ChunkEvent | undefined)[] = [];
  readonly events: (StreamEvent | undefined)[] = [];
  /** A text or reasoning delta arrived in this attempt. */
  content = false;
  /** The stop event arrived in this attempt. */
  stopped = false;
  /** A message that is not an event (exception or error frame), reported after the steps before it. */
  unexpected: EventStreamMessage | undefined;
  /** A payload that could not be decoded, thrown after the steps before it. */
  failure: unknown;
  /** Continuation overlap to drop (after a resume). */
  stitcher: Stitcher | undefined;

  readonly #decoded: ChunkEvent[] = [];
  #next = 0;
  readonly #sink: ChunkEventSink = (event) => {
    this.#decoded.push(event);
  };
  readonly #rechunker: Rechunker | undefined;
  #decode: MessageDecoder | undefined;

  constructor(rechunker: Rechunker | undefined) {
    this.#rechunker = rechunker;
  }

  /** The adapter's decoders take this sink; one sink per stream, reused by every attempt. */
  get sink(): ChunkEventSink {
    return this.#sink;
  }

  /** A new attempt: its decoder; flags reset. */
  startAttempt(decode: MessageDecoder): void {
    this.#decode = decode;
    this.content = false;
    this.stopped = false;
    this.clear();
  }

  clear(): void {
    this.#next = 0;
    this.applies.length = 0;
    this.events.length = 0;
    this.#decoded.length = 0;
    this.unexpected = undefined;
    this.failure = undefined;
  }

  /** The next event to hand over, its state update applied first; undefined once the read is used up. */
  take(state: StreamState): StreamEvent | undefined {
    const { applies, events } = this;
    while (this.#next < events.length) {
      const i = this.#next++;
      const apply = applies[i];
      if (apply !== undefined) state.apply(apply);
      const event = events[i];
      if (event !== undefined) return event;
    }
    return undefined;
  }

  /** Decodes one read's messages into the queues; stops at the first message that ends the attempt. */
  fill(batch: readonly EventStreamMessage[]): void {
    const decode = this.#decode!;
    const decoded = this.#decoded;
    for (let m = 0; m < batch.length; m++) {
      const message = batch[m]!;
      if (message.messageType !== 'event') {
        this.unexpected = message;
        return;
      }
      try {
        decode(message);
      } catch (error) {
        this.failure = error;
        decoded.length = 0;
        return;
      }
      for (let i = 0; i < decoded.length; i++) this.#step(decoded[i]!);
      decoded.length = 0;
    }
  }

  #step(event: ChunkEvent): void {
    switch (event.type) {
      case 'text':
        this.content = true;
        this.#text(event);
        return;
      case 'reasoning':
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
    this.applies.push(apply);
    this.events.push(event);
  }
}

/**
 * One attempt's reads, handed to the consumer side as a whole: it calls `read()` itself (each read refills
 * the pump) and only goes back to the stream generator when the attempt ends, normally (undefined) or by
 * throwing (then it throws the error into the generator, which retries, resumes or fails). So the
 * generator with the retry/resume logic runs once per attempt, not once per read; a read is one async
 * call, not an async generator step.
 */
export abstract class AttemptReads {
  /** The next read's events in the pump; undefined once the attempt's body ended. */
  abstract read(): Promise<EventPump | undefined>;
}
