import { describe, expect, it } from 'vitest';
import { decodeJsonPayload } from '../../src/client/event-stream/chunk-payload.js';
import { decodeEventStream } from '../../src/client/event-stream/decoder.js';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { buildConverseInput, createConverseDecoder } from '../../src/models/converse.js';
import type { NormalizedRequest } from '../../src/models/types.js';
import { concat, converseFrame, reads } from '../client/event-stream/frames.js';
import { fixtureLines, summarise } from './chunk-fixtures.js';

const request: NormalizedRequest = {
  system: 'Be brief.',
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello ' },
  ],
  maxTokens: 50,
  temperature: 0.2,
  topP: 0.8,
  topK: 9,
  stopSequences: ['X'],
};

describe('buildConverseInput', () => {
  it('maps system, messages, inferenceConfig; the trailing assistant message is a trimmed prefill', () => {
    expect(buildConverseInput('us.anthropic.claude-sonnet-4-5-20250929-v1:0', request)).toEqual({
      modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      system: [{ text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }] },
        { role: 'assistant', content: [{ text: 'Hello' }] },
      ],
      inferenceConfig: { maxTokens: 50, temperature: 0.2, topP: 0.8, stopSequences: ['X'] },
      additionalModelRequestFields: { top_k: 9 },
    });
  });

  it('puts Claude reasoning and caller fields in additionalModelRequestFields', () => {
    const input = buildConverseInput('anthropic.claude-3-7-sonnet-20250219-v1:0', {
      messages: [{ role: 'user', content: 'Hi' }],
      maxTokens: 2000,
      reasoning: { budgetTokens: 1024 },
      additionalFields: { anthropic_beta: ['x'] },
    });
    expect(input.additionalModelRequestFields).toEqual({
      thinking: { type: 'enabled', budget_tokens: 1024 },
      anthropic_beta: ['x'],
    });
    expect(input).not.toHaveProperty('system');
    const resumed = buildConverseInput('anthropic.claude-3-7-sonnet-20250219-v1:0', {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hel' },
      ],
      maxTokens: 2000,
      reasoning: { budgetTokens: 1024 },
    });
    expect(resumed).not.toHaveProperty('additionalModelRequestFields');
  });

  it('nova top-k goes under inferenceConfig; other families get no unknown fields', () => {
    expect(buildConverseInput('us.amazon.nova-pro-v1:0', request).additionalModelRequestFields).toEqual({
      inferenceConfig: { topK: 9 },
    });
    expect(buildConverseInput('meta.llama3-8b-instruct-v1:0', request)).not.toHaveProperty(
      'additionalModelRequestFields',
    );
  });
});

describe('createConverseDecoder', () => {
  it('replays a ConverseStream (§2.3 capture shape + reasoning) through real frames', async () => {
    const lines = fixtureLines('converse.events.jsonl').map((line) => JSON.parse(line) as [string, unknown]);
    const body = concat(lines.map(([eventType, payload]) => converseFrame(eventType, payload)));
    const decode = createConverseDecoder();
    const events: ChunkEvent[] = [];
    for await (const message of decodeEventStream(reads(body, 7))) {
      decode(message.eventType ?? '', decodeJsonPayload(message.payload), (event) => events.push(event));
    }
    expect(summarise(events)).toEqual({
      text: 'OK then.',
      reasoning: 'Let me think.',
      stops: [{ reason: 'end_turn', rawReason: 'end_turn' }],
      usage: { inputTokens: 12, outputTokens: 5, source: 'bedrock' },
      metrics: { invocationLatencyMs: 802 },
    });
  });

  it('turns tool-use blocks into tool-call events and ignores unknown events', () => {
    const events: ChunkEvent[] = [];
    const decode = createConverseDecoder();
    decode('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't', name: 'f' } } }, (e) =>
      events.push(e),
    );
    decode('contentBlockDelta', { contentBlockIndex: 0, delta: { toolUse: { input: '{"a":' } } }, (e) =>
      events.push(e),
    );
    decode('somethingNew', { x: 1 }, (e) => events.push(e));
    decode('messageStop', { stopReason: 'tool_use' }, (e) => events.push(e));
    expect(events).toEqual([
      { type: 'tool-call-start', id: 't', name: 'f' },
      { type: 'tool-call-delta', id: 't', inputDelta: '{"a":' },
      { type: 'stop', reason: 'tool_use', rawReason: 'tool_use' },
    ]);
  });
});
