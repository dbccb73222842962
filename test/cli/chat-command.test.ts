/**
 * `bedrock-inference chat` with lines piped in, against an emulator the test can inspect (`--backend aws`
 * through the SDK's endpoint setting, signatures checked): each line is a turn whose request carries the
 * whole conversation so far (the answers as the user saw them), `/reset` starts over, `/exit` quits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { awsEnvFor, runCli } from './cli-harness.js';

const credentials = { accessKeyId: 'AKIDCHATTEST', secretAccessKey: 'chat-test-secret' };

interface ClaudeBody {
  messages: { role: string; content: unknown }[];
}

describe('bedrock-inference chat', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, speed: 'instant', credentials });
  });

  afterAll(async () => {
    await emu.close();
  });

  it('sends each turn with the conversation so far; /reset starts over; /exit quits', async () => {
    const env = awsEnvFor(emu.url, credentials);
    const run = await runCli('chat', ['--max-tokens', '25', '--backend', 'aws', '--quiet'], {
      env,
      stdin: 'Say hello.\n\nAnd tell me more.\n/reset\nSay hello.\n/exit\nNever sent.\n',
    });
    expect(run.code).toBe(0);
    const requests = emu.requestLog.entries();
    expect(requests).toHaveLength(3);
    const bodies = requests.map((entry) => entry.body as ClaudeBody);
    const answers = run.stdout.split('\n').filter((line) => line !== '');
    // The first and the reset conversation are the same one turn, so the same answer.
    expect(bodies[0]!.messages).toEqual([{ role: 'user', content: 'Say hello.' }]);
    expect(bodies[2]!.messages).toEqual(bodies[0]!.messages);
    // The second turn carries the first answer exactly as it was printed.
    const firstAnswer = bodies[1]!.messages[1]!.content as string;
    expect(bodies[1]!.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(bodies[1]!.messages[2]).toEqual({ role: 'user', content: 'And tell me more.' });
    expect(run.stdout.startsWith(`${firstAnswer}\n`)).toBe(true);
    expect(run.stdout.endsWith(`${firstAnswer}\n`)).toBe(true);
    expect(answers.length).toBeGreaterThanOrEqual(3);
    expect(run.stdout).not.toContain('Never sent');
  }, 60_000);
});
