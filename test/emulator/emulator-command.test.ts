/**
 * `bedrock-inference emulator --verify-signatures`, run as a user runs it: the banner says signatures are
 * checked, the real SDK signing with those credentials gets answers, a wrong secret gets AWS's 403, and a
 * malformed pair is refused with a message naming the expected form.
 */
import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { CLAUDE, claudeBody, invokeText, runEmulatorCommand, sdkClient } from './support.js';

describe('bedrock-inference emulator --verify-signatures', () => {
  it('checks SigV4 with the given credentials', async () => {
    const run = runEmulatorCommand(['--port', '0', '--speed', 'instant', '--verify-signatures', 'local:s3cret']);
    try {
      const url = await run.url;
      expect(run.output()).toContain('Signatures are checked: sign with access key local');
      const good = sdkClient(url, { credentials: { accessKeyId: 'local', secretAccessKey: 's3cret' } });
      const bad = sdkClient(url, { credentials: { accessKeyId: 'local', secretAccessKey: 'wrong' }, maxAttempts: 1 });
      try {
        expect((await invokeText(good, CLAUDE, claudeBody('Hello', 20))).text.length).toBeGreaterThan(0);
        const error = await bad
          .send(
            new InvokeModelCommand({ modelId: CLAUDE, body: claudeBody('Hello', 20), contentType: 'application/json' }),
          )
          .then(
            () => undefined,
            (failure: Error & { $metadata?: { httpStatusCode?: number } }) => failure,
          );
        expect(error?.name).toBe('InvalidSignatureException');
        expect(error?.$metadata?.httpStatusCode).toBe(403);
      } finally {
        good.destroy();
        bad.destroy();
      }
    } finally {
      run.stop();
    }
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('refuses a value that is not <key id>:<secret>', async () => {
    const run = runEmulatorCommand(['--port', '0', '--verify-signatures', 'no-colon']);
    const code = await run.exited;
    expect(code).not.toBe(0);
    expect(run.output()).toContain('--verify-signatures takes <access key id>:<secret access key>, got "no-colon"');
  }, 60_000);
});
