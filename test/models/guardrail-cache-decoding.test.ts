/**
 * Decoding guardrail verdicts and prompt-cache usage from recorded-shape chunks (bedrock-wire.md §4.1,
 * §4.3, §5, §6): InvokeModel chunks carry `amazon-bedrock-guardrailAction` / `amazon-bedrock-trace` and
 * cache counts in message_start usage or the invocation metrics; Converse carries `guardrail_intervened`,
 * `metadata.trace.guardrail` and `metadata.usage` cache fields. Frames go through the same frame decoder
 * the client uses (upstream.ts), with and without a guardrail.
 */
import { describe, expect, it } from 'vitest';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { StreamState } from '../../src/client/stream-state.js';
import { emitHeaderUsage, frameDecoder } from '../../src/client/upstream.js';
import { resolveAdapter } from '../../src/models/registry.js';
import type { NormalizedRequest } from '../../src/models/types.js';

const encoder = new TextEncoder();
/** A request with a guardrail whose trace the caller asked to see. */
const traced: NormalizedRequest = {
  messages: [{ role: 'user', content: 'Hi' }],
  maxTokens: 10,
  guardrail: { id: 'gr1', version: '1', trace: true },
};

function decodeNative(modelId: string, chunks: object[], guardrail: boolean): ChunkEvent[] {
  const events: ChunkEvent[] = [];
  const decode = frameDecoder('invoke', resolveAdapter(modelId), (e) => events.push(e), guardrail, traced);
  for (const chunk of chunks) {
    const payload = encoder.encode(
      JSON.stringify({ bytes: Buffer.from(JSON.stringify(chunk)).toString('base64'), p: 'abc' }),
    );
    decode('chunk', payload, 0, payload.length);
  }
  return events;
}

function decodeConverse(events: [string, object][], guardrail: boolean): ChunkEvent[] {
  const out: ChunkEvent[] = [];
  const decode = frameDecoder('converse', undefined, (e) => out.push(e), guardrail, traced);
  for (const [type, payload] of events) {
    const bytes = encoder.encode(JSON.stringify(payload));
    decode(type, bytes, 0, bytes.length);
  }
  return out;
}

const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const metrics = (extra: object = {}) => ({
  'amazon-bedrock-invocationMetrics': {
    inputTokenCount: 12,
    outputTokenCount: 5,
    invocationLatency: 300,
    firstByteLatency: 100,
    ...extra,
  },
});
const claudeStart = (usage: object) => ({
  type: 'message_start',
  message: { id: 'msg_bdrk_1', type: 'message', role: 'assistant', content: [], usage },
});
const delta = (text: string, extra: object = {}) => ({
  type: 'content_block_delta',
  index: 0,
  delta: { type: 'text_delta', text },
  ...extra,
});
/** A word-policy trace as Bedrock writes one (GuardrailAssessment.wordPolicy.customWords). */
const blockedWords = { wordPolicy: { customWords: [{ match: 'zebra', action: 'BLOCKED', detected: true }] } };

describe('prompt-cache usage', () => {
  it('Claude: cache counts from message_start usage reach the usage event and the result', () => {
    const events = decodeNative(
      CLAUDE,
      [
        claudeStart({
          input_tokens: 12,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 2048,
          output_tokens: 1,
        }),
        delta('Hi'),
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } },
        { type: 'message_stop', ...metrics() },
      ],
      false,
    );
    const usage = events.find((e) => e.type === 'usage');
    expect(usage).toEqual({
      type: 'usage',
      inputTokens: 12,
      outputTokens: 5,
      source: 'bedrock',
      cacheReadInputTokens: 2048,
      cacheWriteInputTokens: 0,
    });
    const state = new StreamState(10);
    events.forEach((e) => state.apply(e));
    expect(state.result(CLAUDE).usage).toEqual({
      inputTokens: 12,
      outputTokens: 5,
      source: 'bedrock',
      cacheReadInputTokens: 2048,
      cacheWriteInputTokens: 0,
    });
  });

  it("the invocation metrics' cache counts win over the family's", () => {
    const events = decodeNative(
      CLAUDE,
      [
        claudeStart({ input_tokens: 12, cache_creation_input_tokens: 1, cache_read_input_tokens: 1 }),
        { type: 'message_stop', ...metrics({ cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 3000 }) },
      ],
      false,
    );
    expect(events.find((e) => e.type === 'usage')).toMatchObject({
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 3000,
    });
  });

  it('a plain Claude stream without cache fields reports none (no undefined keys)', () => {
    const events = decodeNative(
      CLAUDE,
      [claudeStart({ input_tokens: 3 }), { type: 'message_stop', ...metrics() }],
      false,
    );
    expect(Object.keys(events.find((e) => e.type === 'usage')!)).toEqual([
      'type',
      'inputTokens',
      'outputTokens',
      'source',
    ]);
  });

  it('Converse: metadata.usage cache fields', () => {
    const events = decodeConverse(
      [
        ['messageStop', { stopReason: 'end_turn' }],
        [
          'metadata',
          {
            usage: {
              inputTokens: 9,
              outputTokens: 4,
              totalTokens: 2061,
              cacheReadInputTokens: 2048,
              cacheWriteInputTokens: 0,
            },
            metrics: { latencyMs: 5 },
          },
        ],
      ],
      false,
    );
    expect(events.find((e) => e.type === 'usage')).toMatchObject({
      inputTokens: 9,
      cacheReadInputTokens: 2048,
      cacheWriteInputTokens: 0,
    });
  });

  it('InvokeModel: the cache headers', () => {
    const events: ChunkEvent[] = [];
    emitHeaderUsage(
      {
        'x-amzn-bedrock-input-token-count': '10',
        'x-amzn-bedrock-output-token-count': '4',
        'x-amzn-bedrock-cache-read-input-token-count': '1500',
        'x-amzn-bedrock-cache-write-input-token-count': '0',
      },
      (e) => events.push(e),
    );
    expect(events[0]).toEqual({
      type: 'usage',
      inputTokens: 10,
      outputTokens: 4,
      source: 'bedrock',
      cacheReadInputTokens: 1500,
      cacheWriteInputTokens: 0,
    });
  });
});

describe('guardrail verdicts', () => {
  it('native: an input intervention comes before any text; the stop becomes guardrail_intervened', () => {
    const events = decodeNative(
      CLAUDE,
      [
        claudeStart({ input_tokens: 12 }),
        delta('Sorry, I cannot help with that.', { 'amazon-bedrock-guardrailAction': 'INTERVENED' }),
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 0 } },
        {
          type: 'message_stop',
          'amazon-bedrock-guardrailAction': 'INTERVENED',
          'amazon-bedrock-trace': { guardrail: { inputAssessment: { gr1: blockedWords } } },
          ...metrics(),
        },
      ],
      true,
    );
    const guardrails = events.filter((e) => e.type === 'guardrail');
    expect(guardrails[0]).toEqual({
      type: 'guardrail',
      action: 'intervened',
      phase: 'input',
      withdrawsStreamedText: false,
    });
    // The trace on the last chunk: the same verdict again, with it.
    expect(guardrails[1]).toMatchObject({
      action: 'intervened',
      phase: 'input',
      trace: { inputAssessment: { gr1: blockedWords } },
    });
    expect(events.findIndex((e) => e.type === 'guardrail')).toBeLessThan(events.findIndex((e) => e.type === 'text'));
    expect(events.find((e) => e.type === 'stop')).toEqual({
      type: 'stop',
      reason: 'guardrail_intervened',
      rawReason: 'end_turn',
    });
  });

  it('native: an output intervention after streamed text withdraws it', () => {
    const events = decodeNative(
      CLAUDE,
      [
        claudeStart({ input_tokens: 12 }),
        delta('Zebras are ', { 'amazon-bedrock-guardrailAction': 'NONE' }),
        delta('striped.'),
        delta('Sorry, the model cannot answer.', { 'amazon-bedrock-guardrailAction': 'INTERVENED' }),
        { type: 'message_delta', delta: { stop_reason: 'guardrail_intervened' }, usage: { output_tokens: 6 } },
        { type: 'message_stop', ...metrics() },
      ],
      true,
    );
    const verdicts = events.filter((e) => e.type === 'guardrail');
    expect(verdicts).toEqual([
      { type: 'guardrail', action: 'none', phase: 'input', withdrawsStreamedText: false },
      { type: 'guardrail', action: 'intervened', phase: 'output', withdrawsStreamedText: true },
    ]);
    const state = new StreamState(1);
    events.forEach((e) => state.apply(e));
    const result = state.result(CLAUDE);
    expect(result.stopReason).toBe('guardrail_intervened');
    expect(result.guardrail).toEqual(verdicts[1]);
  });

  it('native: a verdict only on the last chunk with no output token is an input block', () => {
    const events = decodeNative(
      CLAUDE,
      [
        claudeStart({ input_tokens: 12 }),
        delta('Sorry, I cannot help with that.'),
        { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 0 } },
        { type: 'message_stop', 'amazon-bedrock-guardrailAction': 'INTERVENED', ...metrics({ outputTokenCount: 0 }) },
      ],
      true,
    );
    expect(events.find((e) => e.type === 'guardrail')).toEqual({
      type: 'guardrail',
      action: 'intervened',
      phase: 'input',
      withdrawsStreamedText: false,
    });
    const state = new StreamState(1);
    events.forEach((e) => state.apply(e));
    expect(state.result(CLAUDE)).toMatchObject({ stopReason: 'guardrail_intervened', rawStopReason: 'end_turn' });
  });

  it('without a guardrail the fields are not read (the plain path)', () => {
    const events = decodeNative(CLAUDE, [delta('x', { 'amazon-bedrock-guardrailAction': 'INTERVENED' })], false);
    expect(events.map((e) => e.type)).toEqual(['text']);
  });

  it('Converse: guardrail_intervened and the traced output assessment', () => {
    const events = decodeConverse(
      [
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Zebras are' } }],
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' Sorry.' } }],
        ['messageStop', { stopReason: 'guardrail_intervened' }],
        [
          'metadata',
          {
            usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
            metrics: { latencyMs: 5 },
            trace: { guardrail: { inputAssessment: { gr1: {} }, outputAssessments: { gr1: [blockedWords] } } },
          },
        ],
      ],
      true,
    );
    expect(events.find((e) => e.type === 'stop')).toEqual({
      type: 'stop',
      reason: 'guardrail_intervened',
      rawReason: 'guardrail_intervened',
    });
    expect(events.find((e) => e.type === 'guardrail')).toMatchObject({
      action: 'intervened',
      phase: 'output',
      withdrawsStreamedText: true,
    });
  });

  it('Converse without trace: no output token means the input was blocked', () => {
    const events = decodeConverse(
      [
        ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Sorry, I cannot help.' } }],
        ['messageStop', { stopReason: 'guardrail_intervened' }],
        ['metadata', { usage: { inputTokens: 9, outputTokens: 0, totalTokens: 9 }, metrics: { latencyMs: 5 } }],
      ],
      true,
    );
    expect(events.find((e) => e.type === 'guardrail')).toEqual({
      type: 'guardrail',
      action: 'intervened',
      phase: 'input',
      withdrawsStreamedText: false,
    });
  });
});
