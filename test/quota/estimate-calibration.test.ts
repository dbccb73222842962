/**
 * Input-token estimates per family against the emulator's own counts (CountTokens over the real SDK, on
 * the request body each family's adapter builds): prose, code, punctuation, French, one to three turns,
 * with and without a system prompt. The estimate may lean high (a little quota waits until the call
 * settles to Bedrock's real count) but must not fall short by more than the documented margin
 * (docs/quota.md): at most 10% under, at most 60% (plus a dozen tokens of template) over.
 */
import { BedrockRuntimeClient, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.js';
import { resolveAdapter } from '../../src/models/registry.js';
import type { ChatMessage } from '../../src/models/types.js';
import { estimateInputTokens } from '../../src/quota/estimate.js';
import { FAMILY_MODELS } from '../models/family-models.js';

const TEXTS = [
  'Hello.',
  'Write a short story about space exploration, with a twist at the end.',
  'Summarise in two sentences: the quick brown fox jumps over the lazy dog, again and again, until the dog, ' +
    'tired of it all, gets up and walks away; the fox, puzzled, sits down.',
  'function add(a, b) { return a + b; } // Explain this code, and list edge cases (NaN, strings, BigInt).',
  'Quelle est la capitale de la France ? Réponds en une phrase, s’il te plaît.',
  'List 10 prime numbers: 2, 3, 5, 7, ... and explain why 1 is not prime.',
];

describe('input-token estimates against the emulator’s counts', () => {
  it('stay within the documented margin for every family', async () => {
    const emu = await startEmulator({ port: 0, speed: 'instant' });
    const sdk = new BedrockRuntimeClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const outside: string[] = [];
    try {
      for (const [family, modelId] of FAMILY_MODELS) {
        for (let i = 0; i < TEXTS.length; i++) {
          for (const system of [undefined, 'You are a concise assistant.']) {
            for (const turns of [1, 3]) {
              const messages: ChatMessage[] = Array.from({ length: turns }, (_, t) => ({
                role: t % 2 === 0 ? 'user' : 'assistant',
                content: TEXTS[(i + t) % TEXTS.length]!,
              }));
              const body = resolveAdapter(modelId).buildRequest({
                messages,
                maxTokens: 100,
                ...(system ? { system } : {}),
              });
              const counted = await sdk.send(
                new CountTokensCommand({
                  modelId,
                  input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } },
                }),
              );
              const actual = counted.inputTokens!;
              const estimate = estimateInputTokens(family, { system, messages });
              if (estimate < actual * 0.9 || estimate > actual * 1.6 + 12) {
                outside.push(
                  `${family} text ${i} turns ${turns}${system ? ' +system' : ''}: ${estimate} for ${actual}`,
                );
              }
            }
          }
        }
      }
    } finally {
      sdk.destroy();
      await emu.close();
    }
    expect(outside).toEqual([]);
  });
});
