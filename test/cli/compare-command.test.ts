/**
 * `bedrock-inference compare`, run as a user runs it: each model's answer under its name, equal to what
 * the library streams for that model, in the order given, then one table row per model; a model that
 * fails gets its error in its row while the others still answer, and the exit code says one failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { INSTANT_EMULATOR, runCli } from './cli-harness.js';

const PROMPT = 'Write one sentence about rivers.';
const MODELS = ['anthropic.claude-3-haiku-20240307-v1:0', 'meta.llama3-8b-instruct-v1:0', 'us.amazon.nova-lite-v1:0'];

describe('bedrock-inference compare', () => {
  let emu: Emulator;
  const expected = new Map<string, string>();

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, speed: 'instant' });
    const client = new BedrockStreamingClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      for (const modelId of MODELS) {
        expected.set(
          modelId,
          (await client.invokeStream({ modelId, prompt: PROMPT, maxTokens: 40 }).finalResult()).text,
        );
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
      const rows = run.stdout.split('\n').filter((line) => MODELS.some((modelId) => line.startsWith(`${modelId} `)));
      expect(rows).toHaveLength(MODELS.length);
      for (const row of rows) expect(row).toMatch(/ \d+ +\d+ +40 +[\d.]+ +max_tokens$/);
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
      /^acme\.unknown-v1 +- +- +- +- +error: ValidationError: Cannot tell which model family/m,
    );
  }, 60_000);
});
