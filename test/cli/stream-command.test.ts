/**
 * `bedrock-inference stream`, run as a user runs it (a child process, no AWS credentials unless given):
 * the answer on stdout is exactly what the library streams for the same request, from arguments or
 * stdin; `--backend aws` is the same SDK path pointed at Bedrock through the SDK's own endpoint setting
 * (here the emulator, checking signatures); Ctrl-C closes the upstream request and keeps the text;
 * bad input gets a message naming the problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { awsEnvFor, INSTANT_EMULATOR, runCli } from './cli-harness.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const PROMPT = 'Write two sentences about the sea.';
const credentials = { accessKeyId: 'AKIDCLITEST', secretAccessKey: 'cli-test-secret' };

describe('bedrock-inference stream', () => {
  let emu: Emulator;
  let expected: string;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, speed: 'instant', credentials });
    const client = new BedrockStreamingClient({ endpoint: emu.url, region: 'us-east-1', credentials, modelId: MODEL });
    try {
      expected = (await client.invokeStream({ prompt: PROMPT, maxTokens: 40 }).finalResult()).text;
    } finally {
      client.destroy();
    }
  });

  afterAll(async () => {
    await emu.close();
  });

  it('streams the answer the library streams, then a metrics line on stderr (emulator backend)', async () => {
    const run = await runCli('stream', [PROMPT, '--max-tokens', '40', ...INSTANT_EMULATOR]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${expected}\n`);
    expect(run.stderr).toMatch(/Using the local Bedrock emulator at http:\/\/127\.0\.0\.1:\d+ \(--backend emulator/);
    expect(run.stderr).toMatch(
      new RegExp(`\\[${MODEL.replace(/\./g, '\\.')} \\| \\d+ in / 40 out tokens \\(reported\\) \\| first text \\d+ ms`),
    );
  }, 60_000);

  it('reads the prompt from stdin, and --quiet leaves stderr to warnings', async () => {
    const run = await runCli('stream', ['--max-tokens', '40', ...INSTANT_EMULATOR, '--quiet'], {
      stdin: `${PROMPT}\n`,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${expected}\n`);
    expect(run.stderr).not.toContain('Using the local');
    expect(run.stderr).not.toContain(' out tokens');
  }, 60_000);

  it('--backend aws takes the SDK path with the SDK endpoint setting and credentials, signed', async () => {
    emu.requestLog.clear();
    const env = awsEnvFor(emu.url, credentials);
    const run = await runCli('stream', [PROMPT, '--max-tokens', '40'], { env });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Using AWS Bedrock in us-east-1');
    expect(run.stdout).toBe(`${expected}\n`);
    expect(emu.requestLog.entries().map((entry) => entry.outcome)).toEqual(['completed']);
    const wrong = await runCli('stream', [PROMPT], { env: { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('AccessDeniedError: AWS rejected the request signature');
  }, 60_000);

  it('Ctrl-C closes the upstream request, keeps the text printed and exits 130', async () => {
    emu.requestLog.clear();
    emu.setSpeed('realistic');
    const env = awsEnvFor(emu.url, credentials);
    try {
      let interrupted = false;
      const run = await runCli(
        'stream',
        ['Tell me story number 1 in 80 sentences.', '--max-tokens', '2000', '--backend', 'aws'],
        {
          env,
          onStdout: (child) => {
            if (interrupted) return;
            interrupted = true;
            child.kill('SIGINT');
          },
        },
      );
      expect(run.code).toBe(130);
      expect(run.stdout.trim().length).toBeGreaterThan(0);
      expect(run.stderr).toContain('Stopped: the upstream request was closed');
      const entry = await emu.requestLog.waitFor((logged) => logged.outcome !== 'pending');
      expect(entry.outcome).toBe('client-aborted');
    } finally {
      emu.setSpeed('instant');
    }
  }, 60_000);

  it('bad input: a malformed flag, no prompt, an unknown model family', async () => {
    const badFlag = await runCli('stream', ['hi', '--max-tokens', 'abc']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toContain(
      `option '--max-tokens <n>' argument 'abc' is invalid. expected a whole number from 1`,
    );
    const noPrompt = await runCli('stream', ['--backend', 'emulator']);
    expect(noPrompt.code).toBe(1);
    expect(noPrompt.stderr).toContain('no prompt: pass it as arguments or on stdin');
    const unknown = await runCli('stream', ['hi', '--model', 'acme.unknown-v1', ...INSTANT_EMULATOR]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ValidationError: Cannot tell which model family "acme.unknown-v1" belongs to');
  }, 60_000);
});
