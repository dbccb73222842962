/**
 * `bedrock-inference compare`, run as a user runs it: each model's answer under its name, equal to what
 * the library streams for that model, in the order given, then one table row per model with how it
 * streamed (chunk count and sizes equal to the chunks the library delivers for that model); a model that
 * fails gets its error in its row while the others still answer, and the exit code says one failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamCharacteristics } from '../../src/browser/stream-characteristics.js';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { INSTANT_EMULATOR, runCli } from './cli-harness.js';

const PROMPT = 'Write one sentence about rivers.';
const MODELS = ['anthropic.claude-3-haiku-20240307-v1:0', 'meta.llama3-8b-instruct-v1:0', 'us.amazon.nova-lite-v1:0'];

describe('bedrock-inference compare', () => {
  let emu: Emulator;
  const expected = new Map<string, string>();
  /** Per model: its chunk count and chunk sizes (median/p95) as the library delivers them. */
  const chunking = new Map<string, string>();

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, speed: 'instant' });
    const client = new BedrockStreamingClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      for (const modelId of MODELS) {
        const chunks: string[] = [];
        for await (const delta of client.invokeStream({ modelId, prompt: PROMPT, maxTokens: 40 })) chunks.push(delta);
        expected.set(modelId, chunks.join(''));
        const sizes = streamCharacteristics(chunks.map((chunk) => ({ atMs: 0, chars: chunk.length })));
        const { median, p95 } = sizes.chunkChars!;
        chunking.set(modelId, `${sizes.chunkCount} +${Number.isInteger(median) ? median : median.toFixed(1)}/${p95}`);
      }
    } finally {
      client.destroy();
    }
  });

  afterAll(async () => {
    await emu.close();
  });

  it('prints each answer under its model, then a row per model', async () => {
    const args = [PROMPT, '--max-tokens', '40', ...INSTANT_EMULATOR];
    for (const mode of [[], ['--sequential']]) {
      const run = await runCli('compare', [...args, ...mode, '--models', MODELS.join(',')]);
      expect(run.code).toBe(0);
      const sections = MODELS.map((modelId) => `=== ${modelId} ===\n${expected.get(modelId)}\n`);
      expect(run.stdout.startsWith(sections.join('\n'))).toBe(true);
      expect(run.stdout).toMatch(
        /^model +first text ms +total ms +chunks +chunk chars p50\/p95 +gap ms p50\/p95 +out tokens/m,
      );
      for (const modelId of MODELS) {
        const row = run.stdout.split('\n').find((line) => line.startsWith(`${modelId} `));
        // first text ms, total ms, chunks, chunk chars p50/p95, gap ms p50/p95, out tokens, tokens/s, stop
        expect(row).toMatch(
          new RegExp(` \\d+ +\\d+ +${chunking.get(modelId)} +[\\d.]+/[\\d.]+ +40 +[\\d.]+ +max_tokens$`),
        );
      }
    }
  }, 60_000);

  it('a model that fails gets its error in its row; the others still answer; exit code 1', async () => {
    const run = await runCli('compare', [
      PROMPT,
      '--max-tokens',
      '40',
      ...INSTANT_EMULATOR,
      '--models',
      `${MODELS[0]},acme.unknown-v1`,
      '--no-answers',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('===');
    expect(run.stdout).toMatch(new RegExp(`^${MODELS[0]!.replace(/\./g, '\\.')} .* max_tokens$`, 'm'));
    expect(run.stdout).toMatch(
      /^acme\.unknown-v1 +- +- +- +- +- +- +- +error: ValidationError: Cannot tell which model family/m,
    );
  }, 60_000);
});
