/**
 * `--backend auto` must never quietly answer with emulator text on a machine set up for AWS: a Bedrock
 * API key alone, a profile in a config file, or any AWS variable means AWS; only a machine with none of
 * them and no credentials from the chain gets the emulator, and says so loudly.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsSetting, defaultRegion, resolveBackend } from '../../src/cli/backend.js';

const saved = { ...process.env };
const CONTAINER_CREDENTIALS = {
  AccessKeyId: 'AKIDCONTAINER',
  SecretAccessKey: 'secret',
  Token: 'token',
  Expiration: new Date(Date.now() + 3_600_000).toISOString(),
};

beforeEach(() => {
  // A machine with nothing set up for AWS (and no instance metadata to ask).
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_CONFIG_FILE = '/nonexistent/config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
});

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('--backend auto', () => {
  it('uses AWS when only a Bedrock API key is configured', async () => {
    process.env.AWS_BEARER_TOKEN_BEDROCK = 'ABSK-test-key';
    const backend = await resolveBackend({ backend: 'auto', region: undefined });
    expect(backend.emulator).toBeUndefined();
    expect(backend.description).toContain('AWS Bedrock');
    expect(backend.description).toContain('AWS_BEARER_TOKEN_BEDROCK');
  });

  it('uses AWS when a shared config file has a profile, without forcing a region', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-config-'));
    writeFileSync(join(dir, 'config'), '[default]\nregion = eu-central-1\n');
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    expect(awsSetting()).toBe('AWS_CONFIG_FILE');
    expect(defaultRegion(undefined)).toBeUndefined();
    const backend = await resolveBackend({ backend: 'auto', region: defaultRegion(undefined) });
    expect(backend.emulator).toBeUndefined();
    expect(backend.clientOptions.region).toBeUndefined();
  });

  it('uses AWS with a container credential endpoint that answers slowly (it was cut off after 3 s)', async () => {
    const endpoint = http.createServer((_req, res) => {
      // Slower than the old 3 s cut-off; the backend choice must not depend on it.
      const timer = setTimeout(() => res.end(JSON.stringify(CONTAINER_CREDENTIALS)), 3_500);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/creds`;
      const backend = await resolveBackend({ backend: 'auto', region: undefined });
      expect(backend.emulator).toBeUndefined();
      expect(backend.description).toContain('AWS_CONTAINER_CREDENTIALS_FULL_URI');
    } finally {
      endpoint.closeAllConnections();
      await new Promise((resolve) => endpoint.close(resolve));
    }
  });

  it('falls back to the emulator only when nothing is set up, and says so loudly', async () => {
    expect(awsSetting()).toBeUndefined();
    const backend = await resolveBackend({ backend: 'auto', region: undefined, emulatorSpeed: 'instant' });
    try {
      expect(backend.emulator).toBeDefined();
      expect(backend.description).toContain('WARNING');
      expect(backend.description).toContain('generated text');
    } finally {
      await backend.emulator?.close();
    }
  });
});
