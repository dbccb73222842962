/**
 * `serve` exposes the settings issue 14 added (defects 12 and 13): --allowed-host (a name the server
 * answers as when API keys are off), --disconnect-grace-ms and --redis-key-prefix, and refuses bad values.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rawRequest } from './raw-request.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function serve(args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--backend', 'emulator', '--no-page', ...args],
    { cwd: root, env: { ...process.env, REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /Streaming server on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { url, exited, output: () => output, stop: () => child.kill('SIGTERM') };
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
