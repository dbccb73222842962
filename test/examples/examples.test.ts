import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs an example the way a user would (tsx), against its embedded emulator at instant speed. */
async function example(name: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, BEDROCK_EMULATOR_SPEED: 'instant' };
  for (const key of ['BEDROCK_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'])
    delete env[key];
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/${name}.ts`], {
    cwd: root,
    env,
    timeout: 30_000,
  });
  return stdout;
}

describe('examples', () => {
  it('stream-iterator prints the story and its result line', async () => {
    const out = await example('stream-iterator');
    expect(out).toMatch(/\S{20,}|\w+ \w+ \w+/);
    expect(out).toMatch(/\[end_turn\] \d+ output tokens \(bedrock\), first token after \d+ ms, \d+ chunks/);
  });

  it('stream-callbacks prints the answer and the token count', async () => {
    const out = await example('stream-callbacks');
    expect(out).toMatch(/\nGenerated about \d+ tokens\.\n$/);
  });

  it('error-handling shows backoff, the partial answer and a seamless resume', async () => {
    const out = await example('error-handling');
    expect(out).toMatch(/attempt 1 failed \(ThrottlingError\); retrying in \d+ ms/);
    expect(out).toMatch(/attempt 2 failed \(ThrottlingError\)/);
    expect(out).toContain('done after 3 attempts');
    expect(out).toMatch(/StreamInterruptedError \(cause: \w+\); partial answer kept: [1-9]\d* characters/);
    expect(out).toContain('complete (end_turn) after 1 resume(s)');
  });

  it('tools runs a tool between two steps and answers from its result', async () => {
    const out = await example('tools');
    expect(out).toMatch(/^-- step 1\ncalls get_weather\(\{"city":".+"\}\)\n/);
    const returned = /get_weather returned (\{.*\})\n-- step 2\n/.exec(out);
    expect(returned).not.toBeNull();
    expect(JSON.parse(returned![1]!)).toMatchObject({ sky: 'sunny', celsius: 21 });
    // The emulated model quotes the tool's result in its answer.
    expect(out).toContain(returned![1]!);
    expect(out).toMatch(/\[answered\] 2 steps, \d+ output tokens in all\n$/);
  });
});
