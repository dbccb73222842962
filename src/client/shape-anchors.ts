/**
 * Keeps the per-stream classes' hidden classes alive while no stream is open.
 *
 * V8's optimized code for the per-chunk path checks the hidden classes ("maps") of the objects it was
 * compiled for, and holds them weakly. A class's maps live only as long as one of its instances: once
 * every stream has ended, the next full GC frees the maps of the stream, its iterator and its state, and
 * throws away all the optimized code built on them ("deoptimization: weak objects"). The next burst of
 * streams then runs unoptimized while V8 compiles it all again, on the same cores; measured in the
 * benchmark, whose full GC between batches is exactly that idle moment, about a fifth more CPU per chunk.
 * One idle instance of each, made here once through the same constructors, keeps the maps and the code.
 * It holds no request, timer, listener or socket: an empty state and a stream that never starts.
 */
import { EventPump } from './event-pump.js';
import { BedrockInferenceStream } from './inference-stream.js';
import { StreamState } from './stream-state.js';
import { CallScope } from './timeouts.js';
import type { InferenceResult } from './types.js';

/** The idle stream's source: made (its iterator is taken) but never started. */
async function* neverStarted(): AsyncGenerator<never, InferenceResult, undefined> {
  yield* [];
  throw new Error('The idle stream that anchors hidden classes is never iterated.');
}

const idle = new BedrockInferenceStream(new CallScope(undefined, 0), new StreamState(0), neverStarted);

/** Referenced for as long as the module is loaded (the process). */
export const SHAPE_ANCHORS: readonly object[] = Object.freeze([
  idle,
  idle[Symbol.asyncIterator](),
  new EventPump(undefined),
]);
