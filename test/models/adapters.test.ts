import { describe, expect, it } from 'vitest';
import { resolveAdapter } from '../../src/models/registry.js';
import type { ModelFamily } from '../../src/models/types.js';
import { replay, summarise } from './chunk-fixtures.js';
import type { Summary } from './chunk-fixtures.js';

const metrics = (first: number, total: number) => ({ firstByteLatencyMs: first, invocationLatencyMs: total });
const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens, source: 'bedrock' });

const cases: [string, ModelFamily, Summary][] = [
  [
    'anthropic.chunks.jsonl',
    'anthropic',
    {
      text: 'Hello, world!',
      reasoning: '',
      stops: [{ reason: 'end_turn', rawReason: 'end_turn' }],
      usage: usage(14, 6),
      metrics: metrics(1507, 1798),
    },
  ],
  [
    'anthropic-thinking.chunks.jsonl',
    'anthropic',
    {
      text: 'Four.',
      reasoning: 'The user wants a short answer.',
      stops: [{ reason: 'max_tokens', rawReason: 'max_tokens' }],
      usage: usage(40, 21),
      metrics: metrics(900, 2100),
    },
  ],
  [
    'anthropic-text.chunks.jsonl',
    'anthropic-text',
    {
      text: ' Paris is the capital.',
      reasoning: '',
      stops: [{ reason: 'end_turn', rawReason: 'stop_sequence' }],
      usage: usage(12, 7),
      metrics: metrics(210, 640),
    },
  ],
  [
    'titan.chunks.jsonl',
    'titan',
    {
      text: 'Paris is the capital of France.',
      reasoning: '',
      stops: [{ reason: 'end_turn', rawReason: 'FINISH' }],
      usage: usage(7, 9),
      metrics: metrics(301, 812),
    },
  ],
  [
    'nova.chunks.jsonl',
    'nova',
    {
      text: 'Bonjour à tous',
      reasoning: '',
      stops: [{ reason: 'end_turn', rawReason: 'end_turn' }],
      usage: usage(1, 54),
      metrics: metrics(99, 884),
    },
  ],
  [
    'llama.chunks.jsonl',
    'llama',
    {
      text: 'Hi there',
      reasoning: '',
      stops: [{ reason: 'max_tokens', rawReason: 'length' }],
      usage: usage(11, 3),
      metrics: metrics(180, 420),
    },
  ],
  [
    'mistral.chunks.jsonl',
    'mistral',
    {
      text: ' The answer is 42.',
      reasoning: '',
      stops: [{ reason: 'end_turn', rawReason: 'stop' }],
      usage: usage(20, 5),
      metrics: metrics(150, 500),
    },
  ],
  [
    'mistral-chat.chunks.jsonl',
    'mistral-chat',
    {
      text: 'Bonjour, ça va ?',
      reasoning: '',
      stops: [{ reason: 'max_tokens', rawReason: 'length' }],
      usage: usage(9, 6),
      metrics: metrics(120, 430),
    },
  ],
  [
    'cohere.chunks.jsonl',
    'cohere',
    {
      text: '¡Hola, mundo!',
      reasoning: '',
      stops: [{ reason: 'end_turn', rawReason: 'COMPLETE' }],
      usage: usage(8, 5),
      metrics: metrics(140, 377),
    },
  ],
  [
    'cohere-command.chunks.jsonl',
    'cohere-command',
    {
      text: ' Hello there.',
      reasoning: '',
      stops: [{ reason: 'max_tokens', rawReason: 'MAX_TOKENS' }],
      usage: usage(3, 3),
      metrics: metrics(90, 200),
    },
  ],
  [
    'ai21.chunks.jsonl',
    'ai21',
    {
      text: 'Shalom world',
      reasoning: '',
      stops: [{ reason: 'end_turn', rawReason: 'stop' }],
      usage: usage(10, 3),
      metrics: metrics(110, 350),
    },
  ],
  [
    'deepseek.chunks.jsonl',
    'deepseek',
    {
      text: '2 + 2 = 4.',
      reasoning: 'The user asks 2+2. Simple.\n',
      stops: [{ reason: 'end_turn', rawReason: 'stop' }],
      usage: usage(15, 22),
      metrics: metrics(300, 900),
    },
  ],
  [
    'openai.chunks.jsonl',
    'openai',
    {
      text: 'Hello! How can I help?',
      reasoning: 'Greet back.',
      stops: [{ reason: 'end_turn', rawReason: 'stop' }],
      usage: usage(30, 12),
      metrics: metrics(205, 610),
    },
  ],
];

describe('chunk decoders replay bedrock-wire.md §4 sequences through real frames', () => {
  it.each(cases)('%s (%s)', async (fixture, family, expected) => {
    const adapter = resolveAdapter('opaque', family);
    const events = await replay(fixture, adapter.createChunkDecoder(), adapter.deltaTemplates);
    // JSON.parse alone gives the same events as the client's fast path for text deltas.
    expect(await replay(fixture, adapter.createChunkDecoder())).toEqual(events);
    expect(summarise(events)).toEqual(expected);
    // Exactly one stop event, and usage is never reported before the stop.
    const stop = events.findIndex((e) => e.type === 'stop');
    expect(events.filter((e) => e.type === 'stop')).toHaveLength(1);
    expect(events.findIndex((e) => e.type === 'usage')).toBeGreaterThan(stop);
  });

  it('falls back to family counters when the invocation metrics are missing', async () => {
    const decode = resolveAdapter('anthropic.claude-3-haiku-20240307-v1:0').createChunkDecoder();
    const events: unknown[] = [];
    const emit = (event: unknown) => events.push(event);
    decode({ type: 'message_start', message: { usage: { input_tokens: 9 } } }, emit);
    decode({ type: 'message_delta', delta: { stop_reason: 'refusal' }, usage: { output_tokens: 4 } }, emit);
    decode({ type: 'message_stop' }, emit);
    expect(events).toEqual([
      { type: 'stop', reason: 'refusal', rawReason: 'refusal' },
      { type: 'usage', inputTokens: 9, outputTokens: 4, source: 'bedrock' },
    ]);

    const llama: unknown[] = [];
    const decodeLlama = resolveAdapter('meta.llama3-8b-instruct-v1:0').createChunkDecoder();
    decodeLlama({ generation: 'a', prompt_token_count: 5, generation_token_count: 1, stop_reason: null }, (e) =>
      llama.push(e),
    );
    decodeLlama({ generation: 'b', generation_token_count: 2, stop_reason: 'stop' }, (e) => llama.push(e));
    expect(llama.at(-1)).toEqual({ type: 'usage', inputTokens: 5, outputTokens: 2, source: 'bedrock' });
  });

  it('each decoder keeps its state per stream', async () => {
    const adapter = resolveAdapter('us.deepseek.r1-v1:0');
    const first = summarise(await replay('deepseek.chunks.jsonl', adapter.createChunkDecoder()));
    const second = summarise(await replay('deepseek.chunks.jsonl', adapter.createChunkDecoder()));
    expect(second).toEqual(first);
  });
});

describe('stop reasons map to {unified, raw} (§4.10)', () => {
  it.each([
    ['anthropic', 'end_turn', 'end_turn'],
    ['anthropic', 'stop_sequence', 'stop_sequence'],
    ['anthropic', 'tool_use', 'tool_use'],
    ['anthropic', 'pause_turn', 'pause_turn'],
    ['anthropic', 'refusal', 'refusal'],
    ['anthropic', 'model_context_window_exceeded', 'context_window_exceeded'],
    ['anthropic-text', 'max_tokens', 'max_tokens'],
    ['titan', 'LENGTH', 'max_tokens'],
    ['titan', 'STOP_CRITERIA_MET', 'stop_sequence'],
    ['titan', 'CONTENT_FILTERED', 'content_filtered'],
    ['titan', 'RAG_QUERY_WHEN_RAG_DISABLED', 'other'],
    ['nova', 'guardrail_intervened', 'guardrail_intervened'],
    ['nova', 'content_filtered', 'content_filtered'],
    ['nova', 'malformed_model_output', 'error'],
    ['nova', 'tool_use', 'tool_use'],
    ['llama', 'stop', 'end_turn'],
    ['mistral', 'length', 'max_tokens'],
    ['mistral-chat', 'tool_calls', 'tool_use'],
    ['cohere', 'MAX_TOKENS', 'max_tokens'],
    ['cohere', 'STOP_SEQUENCE', 'stop_sequence'],
    ['cohere', 'ERROR_TOXIC', 'content_filtered'],
    ['cohere', 'ERROR', 'error'],
    ['cohere-command', 'COMPLETE', 'end_turn'],
    ['ai21', 'length', 'max_tokens'],
    ['deepseek', 'length', 'max_tokens'],
    ['openai', 'content_filter', 'content_filtered'],
    ['openai', 'something_new', 'other'],
  ] as const)('%s %s → %s', (family, raw, unified) => {
    expect(resolveAdapter('x', family).mapStopReason(raw)).toEqual({ unified, raw });
  });

  it('a missing stop reason is other/null', () => {
    expect(resolveAdapter('x', 'anthropic').mapStopReason(null)).toEqual({ unified: 'other', raw: null });
    expect(resolveAdapter('x', 'titan').mapStopReason(undefined)).toEqual({ unified: 'other', raw: null });
  });
});
