/**
 * Prompt caching end to end against the emulator (real SDK, real HTTP): a long prefix marked with a cache
 * point is written on the first call and read on the repeat, and the counts reach `result.usage` from
 * Claude's message_start usage, the invocation metrics, InvokeModel's headers and Converse's metadata.
 * A family without prompt caching is refused before the call.
 */
import { describe, expect, it } from 'vitest';
import type { InferenceRequest } from '../../src/client/types.js';
import { ValidationError } from '../../src/errors.js';
import { handbook } from '../support/long-prefix.js';
import { useEmulatorClient } from './emulator-harness.js';

const rig = useEmulatorClient();

const SONNET = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const NOVA = 'us.amazon.nova-lite-v1:0';

async function twice(request: InferenceRequest) {
  const first = await rig.client.invokeStream(request).finalResult();
  const second = await rig.client.invokeStream(request).finalResult();
  return { first: first.usage, second: second.usage };
}

describe('a repeated long prefix: written once, then read from the cache', () => {
  it.each([
    ['invoke', SONNET],
    ['converse', SONNET],
    ['invoke', NOVA],
    ['converse', NOVA],
  ] as const)('system prompt cache point, %s %s', async (api, modelId) => {
    const { first, second } = await twice({
      modelId,
      api,
      system: handbook(`system-${api}-${modelId}`),
      cachePoints: { system: true },
      prompt: 'Which rule is about report 70?',
    });
    expect(first.cacheWriteInputTokens).toBeGreaterThan(1000);
    expect(first.cacheReadInputTokens ?? 0).toBe(0);
    expect(second.cacheReadInputTokens).toBe(first.cacheWriteInputTokens);
    expect(second.cacheWriteInputTokens ?? 0).toBe(0);
    // inputTokens is the uncached rest, as Bedrock counts it.
    expect(second.inputTokens).toBeLessThan(100);
    expect(second.inputTokens).toBe(first.inputTokens);
    expect(second.source).toBe('bedrock');
  });

  it.each(['invoke', 'converse'] as const)('a cache-point part in the messages, %s Claude', async (api) => {
    const { first, second } = await twice({
      modelId: SONNET,
      api,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: handbook(`messages-${api}`) },
            { type: 'cache-point' },
            { type: 'text', text: 'Summarise rule 3.' },
          ],
        },
      ],
    });
    expect(first.cacheWriteInputTokens).toBeGreaterThan(1000);
    expect(second.cacheReadInputTokens).toBe(first.cacheWriteInputTokens);
  });

  it('InvokeModel (not streaming) reports the same counts (body usage and the cache headers)', async () => {
    const request: InferenceRequest = {
      modelId: SONNET,
      system: handbook('unary'),
      cachePoints: { system: true },
      prompt: 'Which rule is about report 14?',
    };
    const first = await rig.client.invoke(request);
    const second = await rig.client.invoke(request);
    expect(first.usage.cacheWriteInputTokens).toBeGreaterThan(1000);
    expect(second.usage.cacheReadInputTokens).toBe(first.usage.cacheWriteInputTokens);
  });

  it('a prefix below the model minimum is not cached (no cache fields at all)', async () => {
    const { first, second } = await twice({
      modelId: SONNET,
      system: 'A short system prompt.',
      cachePoints: { system: true },
      prompt: 'Hello?',
    });
    expect(first).not.toHaveProperty('cacheWriteInputTokens');
    expect(second).not.toHaveProperty('cacheReadInputTokens');
  });
});

describe('cache points Bedrock would refuse fail before the call', () => {
  it.each<[string, InferenceRequest, string]>([
    [
      'a cache point first in its message',
      { messages: [{ role: 'user', content: [{ type: 'cache-point' }, { type: 'text', text: 'Hi' }] }] },
      'a cache point with nothing before it',
    ],
    [
      'cachePoints.system without a system prompt',
      { prompt: 'Hi', cachePoints: { system: true } },
      'no `system` prompt',
    ],
    ['cachePoints.tools without tools', { prompt: 'Hi', cachePoints: { tools: true } }, 'no `tools` to cache'],
  ])('%s', (_name, request, message) => {
    expect(() => rig.client.invokeStream({ modelId: SONNET, ...request })).toThrow(message);
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
  });
});

describe('models without prompt caching', () => {
  it('a native format without cache points is refused before the call, naming the fix', () => {
    const request: InferenceRequest = {
      modelId: 'meta.llama3-8b-instruct-v1:0',
      system: 'Be brief.',
      cachePoints: { system: true },
      prompt: 'Hello',
    };
    expect(() => rig.client.invokeStream(request)).toThrow(ValidationError);
    expect(() => rig.client.invokeStream(request)).toThrow('has no prompt caching');
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
  });

  it("through Converse, Bedrock's own refusal for the model arrives as a ValidationError", async () => {
    const stream = rig.client.invokeStream({
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      api: 'converse',
      system: 'Be brief.',
      cachePoints: { system: true },
      prompt: 'Hello',
    });
    await expect(stream.finalResult()).rejects.toThrow(ValidationError);
    await expect(stream.finalResult()).rejects.toThrow(/prompt caching/);
  });
});
