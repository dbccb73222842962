/**
 * Sample objects of the per-stream shapes, kept alive between streams. V8 frees a hidden class once no
 * object of it is left and deoptimises every function optimised against it: after a full GC in a quiet
 * moment (between bursts of streams, or a benchmark's forced GC) the next streams ran deoptimised and
 * paid tens of ms of re-optimisation on background threads (16 paced Claude streams after a forced GC:
 * 124 -> 79 ms of CPU with the samples held). What is held is small: the last message, decoded chunk and
 * event of each kind, and the last stream's bookkeeping objects.
 */
const samples: Record<string, object> = Object.create(null) as Record<string, object>;
const chunkSamples: Record<string, object> = Object.create(null) as Record<string, object>;

/** Keeps `value` as the sample for `kind` (the previous sample of that kind is released). */
export function keepSample(kind: string, value: object): void {
  samples[kind] = value;
}

/** A decoded chunk, sampled by its `type` (Claude, Converse) or as one kind (families without one). */
export function keepChunkSample(chunk: Record<string, unknown>): void {
  const type = chunk.type;
  if (typeof type === 'string') chunkSamples[type] = chunk;
  else samples.chunk = chunk;
}
