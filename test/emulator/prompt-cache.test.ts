/**
 * Prompt caching through the real AWS SDK: a long prefix marked with Claude's `cache_control` or a Converse
 * `cachePoint` is written on the first request and read on the repeat (usage fields, invocation metrics,
 * InvokeModel headers, Converse metadata), nothing is cached below the model's minimum, the admin API
 * clears the cache, and a model without prompt caching refuses cache points.
 */
import { ConverseCommand, ConverseStreamCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { collectInvokeStream, sdkClient } from './support.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SONNET = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const NOVA = 'us.amazon.nova-pro-v1:0';
const OLD_HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
/** About 1,800 tokens by the emulator's count: above the 1,024 minimum. */
const LONG = 'The quick brown fox jumps over the lazy dog. '.repeat(180);

let emulator: Emulator;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  emulator = await startEmulator({ speed: 'instant' });
  client = sdkClient(emulator.url);
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});

function claudeBody(system: string, question: string): string {
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 20,
    system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: question }],
  });
}

async function invokeRaw(modelId: string, body: string) {
  const response = await fetch(`${emulator.url}/model/${encodeURIComponent(modelId)}/invoke`, { method: 'POST', body });
  return { headers: response.headers, body: (await response.json()) as Json };
}

describe('Claude cache_control', () => {
  it('writes a long system prefix once, then reads it (stream usage, metrics and InvokeModel headers)', async () => {
    const first = await collectInvokeStream(client, SONNET, claudeBody(LONG, 'First question?'));
    const usage1 = (first.chunks[0] as Json).message.usage as Json;
    expect(usage1.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(usage1.cache_read_input_tokens).toBe(0);
    const metrics1 = first.chunks.at(-1)!['amazon-bedrock-invocationMetrics'] as Json;
    expect(metrics1.cacheWriteInputTokenCount).toBe(usage1.cache_creation_input_tokens);

    const second = await collectInvokeStream(client, SONNET, claudeBody(LONG, 'Another question?'));
    const usage2 = (second.chunks[0] as Json).message.usage as Json;
    expect(usage2.cache_read_input_tokens).toBe(usage1.cache_creation_input_tokens);
    expect(usage2.cache_creation_input_tokens).toBe(0);
    expect(usage2.input_tokens).toBeLessThan(20);
    expect(emulator.requestLog.entries().at(-1)!.cache).toEqual({ read: usage2.cache_read_input_tokens, write: 0 });

    const whole = await invokeRaw(SONNET, claudeBody(LONG, 'Third?'));
    expect(Number(whole.headers.get('x-amzn-bedrock-cache-read-input-token-count'))).toBe(
      usage2.cache_read_input_tokens,
    );
    expect(whole.headers.get('x-amzn-bedrock-cache-write-input-token-count')).toBe('0');
    expect(whole.body.usage.cache_read_input_tokens).toBe(usage2.cache_read_input_tokens);

    const cleared = await fetch(`${emulator.url}/_emulator/cache`, { method: 'DELETE' });
    expect(cleared.status).toBe(200);
    const after = await invokeRaw(SONNET, claudeBody(LONG, 'Third?'));
    expect(after.body.usage.cache_creation_input_tokens).toBeGreaterThan(1024);
  });

  it('caches nothing below the minimum, without an error', async () => {
    const short = await invokeRaw(SONNET, claudeBody('Be brief.', 'Hi?'));
    const again = await invokeRaw(SONNET, claudeBody('Be brief.', 'Hi?'));
    for (const { body } of [short, again]) {
      expect(body.usage.cache_creation_input_tokens).toBe(0);
      expect(body.usage.cache_read_input_tokens).toBe(0);
    }
  });

  it('refuses cache points on a model without prompt caching', async () => {
    const refused = await invokeRaw(OLD_HAIKU, claudeBody(LONG, 'Hi?'));
    expect(refused.body.message).toContain('did not allow prompt caching');
  });
});

describe('Converse cachePoint', () => {
  it('reports cacheWriteInputTokens then cacheReadInputTokens in metadata.usage', async () => {
    const request = (question: string) => ({
      modelId: NOVA,
      system: [{ text: LONG }, { cachePoint: { type: 'default' as const } }],
      messages: [{ role: 'user' as const, content: [{ text: question }] }],
    });
    const first = await client.send(new ConverseCommand(request('One?')));
    expect(first.usage!.cacheWriteInputTokens).toBeGreaterThan(1000);
    expect(first.usage!.cacheReadInputTokens).toBe(0);
    expect(first.usage!.totalTokens).toBe(
      first.usage!.inputTokens! + first.usage!.outputTokens! + first.usage!.cacheWriteInputTokens!,
    );
    const stream = await client.send(new ConverseStreamCommand(request('Two?')));
    let usage: Json | undefined;
    for await (const event of stream.stream!) if (event.metadata) usage = event.metadata.usage as Json;
    expect(usage!.cacheReadInputTokens).toBe(first.usage!.cacheWriteInputTokens);
    expect(usage!.cacheWriteInputTokens).toBe(0);
  });
});
