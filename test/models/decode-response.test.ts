import type { ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { decodeConverseResponse } from '../../src/models/converse.js';
import { resolveAdapter } from '../../src/models/registry.js';
import type { ModelFamily } from '../../src/models/types.js';
import { summarise } from './chunk-fixtures.js';

function decode(family: ModelFamily, body: Record<string, unknown>) {
  const events: ChunkEvent[] = [];
  resolveAdapter('x', family).decodeResponse(body, (event) => events.push(event));
  return summarise(events);
}

const end = (raw: string, reason = 'end_turn') => [{ reason, rawReason: raw }];
const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens, source: 'bedrock' });

describe('decodeResponse: InvokeModel bodies (bedrock-wire.md §4)', () => {
  it('anthropic: thinking and text blocks, stop, usage', () => {
    expect(
      decode('anthropic', {
        id: 'msg_bdrk_1',
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
          { type: 'text', text: 'Hi!' },
        ],
        stop_reason: 'end_turn',
        usage: { input_tokens: 5, output_tokens: 3 },
      }),
    ).toMatchObject({ text: 'Hi!', reasoning: 'Hmm.', stops: end('end_turn'), usage: usage(5, 3) });
  });

  it('titan, nova, llama', () => {
    expect(
      decode('titan', {
        inputTextTokenCount: 4,
        results: [{ tokenCount: 2, outputText: 'Yes.', completionReason: 'FINISH' }],
      }),
    ).toMatchObject({ text: 'Yes.', stops: end('FINISH'), usage: usage(4, 2) });
    expect(
      decode('nova', {
        output: { message: { role: 'assistant', content: [{ text: 'Oui.' }] } },
        stopReason: 'max_tokens',
        usage: { inputTokens: 3, outputTokens: 1 },
      }),
    ).toMatchObject({ text: 'Oui.', stops: end('max_tokens', 'max_tokens'), usage: usage(3, 1) });
    expect(
      decode('llama', { generation: 'Hey', prompt_token_count: 6, generation_token_count: 1, stop_reason: 'stop' }),
    ).toMatchObject({ text: 'Hey', stops: end('stop'), usage: usage(6, 1) });
  });

  it('mistral, mistral-chat, anthropic-text, cohere, cohere-command', () => {
    expect(decode('mistral', { outputs: [{ text: 'A', stop_reason: 'length' }] })).toMatchObject({
      text: 'A',
      stops: end('length', 'max_tokens'),
    });
    expect(
      decode('mistral-chat', {
        choices: [{ index: 0, message: { role: 'assistant', content: 'B' }, stop_reason: 'stop' }],
      }),
    ).toMatchObject({ text: 'B', stops: end('stop') });
    expect(decode('anthropic-text', { completion: ' C', stop_reason: 'max_tokens' })).toMatchObject({
      text: ' C',
      stops: end('max_tokens', 'max_tokens'),
    });
    expect(
      decode('cohere', {
        text: 'D',
        finish_reason: 'COMPLETE',
        meta: { billed_units: { input_tokens: 2, output_tokens: 1 } },
      }),
    ).toMatchObject({ text: 'D', stops: end('COMPLETE'), usage: usage(2, 1) });
    expect(
      decode('cohere-command', { generations: [{ id: 'g', text: 'E', finish_reason: 'COMPLETE' }] }),
    ).toMatchObject({ text: 'E', stops: end('COMPLETE') });
  });

  it('ai21, openai (with <reasoning> tags), deepseek (with </think>)', () => {
    const chat = (content: string, finish = 'stop') => ({
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
      usage: { prompt_tokens: 7, completion_tokens: 2 },
    });
    expect(decode('ai21', chat('F'))).toMatchObject({ text: 'F', stops: end('stop'), usage: usage(7, 2) });
    expect(decode('openai', chat('<reasoning>Think.</reasoning>G'))).toMatchObject({
      text: 'G',
      reasoning: 'Think.',
      usage: usage(7, 2),
    });
    expect(decode('deepseek', { choices: [{ text: 'Ponder.\n</think>\n\nH', stop_reason: 'stop' }] })).toMatchObject({
      text: 'H',
      reasoning: 'Ponder.\n',
    });
    expect(decode('deepseek', { choices: [{ text: 'Just I', stop_reason: 'length' }] })).toMatchObject({
      text: 'Just I',
      reasoning: '',
      stops: end('length', 'max_tokens'),
    });
  });
});

describe('decodeConverseResponse', () => {
  it('reasoning and text blocks, stop reason, usage, latency', () => {
    const output = {
      $metadata: {},
      output: {
        message: {
          role: 'assistant',
          content: [{ reasoningContent: { reasoningText: { text: 'Plan.', signature: 's' } } }, { text: 'Done.' }],
        },
      },
      stopReason: 'guardrail_intervened',
      usage: { inputTokens: 10, outputTokens: 4, totalTokens: 14 },
      metrics: { latencyMs: 321 },
    } as ConverseCommandOutput;
    const events: ChunkEvent[] = [];
    decodeConverseResponse(output, (event) => events.push(event));
    expect(summarise(events)).toEqual({
      text: 'Done.',
      reasoning: 'Plan.',
      stops: [{ reason: 'guardrail_intervened', rawReason: 'guardrail_intervened' }],
      usage: usage(10, 4),
      metrics: { invocationLatencyMs: 321 },
    });
  });
});
