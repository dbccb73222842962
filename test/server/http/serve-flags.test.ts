/**
 * `serve` exposes the settings issue 14 added (defects 12 and 13): --allowed-host (a name the server
 * answers as when API keys are off), --disconnect-grace-ms and --redis-key-prefix, and refuses bad values.
 */
import { describe, expect, it } from 'vitest';
import { startServeProcess } from '../../support/serve-process.js';
import { rawRequest } from './raw-request.js';

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
});
