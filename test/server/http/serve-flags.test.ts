/**
 * `serve` exposes the settings issue 14 added (defects 12 and 13): --allowed-host (a name the server
 * answers as when API keys are off), --disconnect-grace-ms and --redis-key-prefix, and refuses bad values;
 * --guardrail (issue 11) applies a guardrail to every chat request.
 */
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/server.js';
import { startServeProcess } from '../../support/serve-process.js';
import { rawRequest } from './raw-request.js';
import { parseSse } from './sse-parse.js';

function serve(args: string[]) {
  return startServeProcess(['--backend', 'emulator', '--no-page', ...args], { REDIS_URL: '' });
}

describe('serve flags for hosts, grace and the Redis key prefix', () => {
  it('answers as an --allowed-host and refuses other names (API keys off)', async () => {
    const run = serve([
      '--allowed-host',
      'chat.example.internal',
      '--disconnect-grace-ms',
      '0',
      '--redis-key-prefix',
      'test14:',
    ]);
    try {
      const url = await run.url;
      const allowed = await rawRequest(url, { path: '/api/models', headers: { host: 'chat.example.internal' } });
      expect(allowed.status).toBe(200);
      const other = await rawRequest(url, { path: '/api/models', headers: { host: 'rebind.example' } });
      expect(other.status).toBe(403);
    } finally {
      run.stop();
      await run.exited;
    }
  });

  it('refuses a negative grace with a message naming the value', async () => {
    const run = serve(['--disconnect-grace-ms', '-5']);
    await expect(run.url).rejects.toThrow(/expected a whole number from 0, got "-5"/);
  });

  it('--guardrail applies the guardrail to /api/chat requests (Bedrock through the SDK endpoint setting)', async () => {
    const credentials = { accessKeyId: 'AKIDSERVEGR', secretAccessKey: 'serve-guardrail-secret' };
    const emu = await startEmulator({
      port: 0,
      speed: 'instant',
      credentials,
      guardrails: [{ id: 'servegr', version: '1', blockedWords: ['forbidden'] }],
    });
    const run = startServeProcess(['--backend', 'aws', '--no-page', '--guardrail', 'servegr:1'], {
      REDIS_URL: '',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emu.url,
    });
    try {
      const url = await run.url;
      const response = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Anything forbidden?' }] }),
      });
      const events = parseSse(await response.text()).events;
      const verdict = events.find((event) => event.event === 'guardrail');
      expect(JSON.parse(verdict!.data)).toMatchObject({ action: 'intervened', phase: 'input' });
      expect(emu.requestLog.entries()[0]!.guardrail).toMatchObject({ id: 'servegr', version: '1' });
    } finally {
      run.stop();
      await run.exited;
      await emu.close();
    }
  }, 60_000);

  it('refuses a --guardrail that is not id:version', async () => {
    const run = serve(['--guardrail', 'servegr']);
    await expect(run.url).rejects.toThrow(/expected <id>:<version>/);
  });
});
