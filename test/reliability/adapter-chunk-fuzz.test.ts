/**
 * Fuzzing every family adapter's chunk decoder (issue 14, suite part 3), seeded:
 * - any JSON, including near-valid chunks with hostile field types: decoded or refused with an Error,
 *   never a non-Error throw or a hang;
 * - near-valid chunks whose fields have Bedrock's types (random strings and counts): every event is
 *   well typed (deltas are strings, token counts finite and non-negative).
 * Not asserted (found by this fuzzing, recorded in docs/reliability.md): with wrongly typed fields,
 * adapters pass the values through (the hot path trusts Bedrock's field types), e.g. Claude
 * `"thinking": []` becomes a reasoning delta `[]`, a negative Titan token count becomes usage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { listSupportedFamilies, resolveAdapter } from '../../src/models/registry.js';

const SEED = 1414;

/** Shapes close to each family's real chunks, with any JSON where the values go. */
const hostile = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);
/** Fields with Bedrock's types: text is a string, counts and latencies are whole numbers >= 0. */
const typed = {
  text: fc.string(),
  count: fc.nat(),
  reason: fc.constantFrom('end_turn', 'max_tokens', 'stop', 'length', 'FINISH', 'COMPLETE'),
};

const shapes = (value: fc.Arbitrary<unknown>, count: fc.Arbitrary<unknown>, reason: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.record({
      type: fc.constantFrom('content_block_delta', 'message_delta', 'message_start', 'message_stop'),
      delta: fc.record({
        type: fc.constantFrom('text_delta', 'thinking_delta'),
        text: value,
        thinking: value,
        stop_reason: reason,
      }),
      usage: fc.record({ output_tokens: count }),
    }),
    fc.record({
      outputText: value,
      completionReason: reason,
      inputTextTokenCount: count,
      totalOutputTextTokenCount: count,
    }),
    fc.record({ generation: value, stop_reason: reason, generation_token_count: count, prompt_token_count: count }),
    fc.record({ outputs: fc.array(fc.record({ text: value, stop_reason: reason }), { maxLength: 2 }) }),
    fc.record({
      choices: fc.array(
        fc.record({
          delta: fc.record({ content: value, reasoning_content: value }),
          finish_reason: reason,
          index: count,
        }),
        { maxLength: 2 },
      ),
    }),
    fc.record({
      text: value,
      is_finished: fc.boolean(),
      finish_reason: reason,
      event_type: fc.constantFrom('text-generation', 'stream-end'),
    }),
    fc.record({
      contentBlockDelta: fc.record({ delta: fc.record({ text: value }) }),
      messageStop: fc.record({ stopReason: reason }),
      metadata: fc.record({ usage: fc.record({ outputTokens: count }) }),
    }),
    fc.record({
      'amazon-bedrock-invocationMetrics': fc.record({
        inputTokenCount: count,
        outputTokenCount: count,
        firstByteLatency: count,
      }),
    }),
  );
const anyJson = fc.oneof(
  shapes(hostile, hostile, hostile),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
);
const typedChunk = shapes(typed.text, typed.count, typed.reason);

function wellTyped(event: ChunkEvent): boolean {
  switch (event.type) {
    case 'text':
    case 'reasoning':
      return typeof event.delta === 'string';
    case 'usage':
      return [event.inputTokens, event.outputTokens].every(
        (n) => typeof n === 'number' && Number.isFinite(n) && n >= 0,
      );
    default:
      return true;
  }
}

function run(family: (typeof FAMILIES)[number], chunks: unknown[]): ChunkEvent[] {
  const decode = resolveAdapter('fuzz', family).createChunkDecoder();
  const events: ChunkEvent[] = [];
  for (const chunk of chunks) {
    try {
      decode(chunk as Record<string, unknown>, (event) => events.push({ ...event }));
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
    }
  }
  return events;
}

const FAMILIES = listSupportedFamilies();

describe('adapters under hostile chunk JSON', () => {
  for (const family of FAMILIES) {
    it(`${family}: any JSON is decoded or refused with an Error`, () => {
      fc.assert(
        fc.property(fc.array(anyJson, { minLength: 1, maxLength: 8 }), (chunks) => void run(family, chunks)),
        { seed: SEED, numRuns: 300 },
      );
    });

    it(`${family}: chunks with Bedrock's field types give only well-typed events`, () => {
      fc.assert(
        fc.property(fc.array(typedChunk, { minLength: 1, maxLength: 8 }), (chunks) => {
          expect(run(family, chunks).filter((event) => !wellTyped(event))).toEqual([]);
        }),
        { seed: SEED, numRuns: 300 },
      );
    });
  }
});
