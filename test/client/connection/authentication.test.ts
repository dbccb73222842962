/**
 * Signing against real-AWS-like answers from the emulator: a server clock 15 minutes off (the SDK
 * corrects its offset from the answer's Date; the call is retried once), Bedrock API keys (Bearer), an
 * expired session token; and the signing region with a custom endpoint and the region in ~/.aws/config.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../../src/client/bedrock-streaming-client.js';
import { AccessDeniedError } from '../../../src/errors.js';
import { startEmulator, type Emulator } from '../../../src/emulator/server.js';
import { CLAUDE, rejection, TEST_CREDENTIALS } from '../emulator-harness.js';
import { startH2TestServer, type H2TestServer } from './h2-test-server.js';

const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS10ZXN0';
const EXPIRED = { ...TEST_CREDENTIALS, sessionToken: 'expired-session' };
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    speed: 'instant',
    credentials: TEST_CREDENTIALS,
    apiKeys: [API_KEY],
    clockOffsetMs: 15 * 60_000,
    expiredSessionTokens: [EXPIRED.sessionToken],
  });
});

afterAll(async () => {
  await emulator.close();
});

function clientWith(options: ConstructorParameters<typeof BedrockStreamingClient>[0]): BedrockStreamingClient {
  return new BedrockStreamingClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    modelId: CLAUDE,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
}

describe('a server clock 15 minutes ahead', () => {
  it('the first call is retried once after the SDK corrected its clock offset, and later calls sign right', async () => {
    const client = clientWith({ credentials: TEST_CREDENTIALS });
    try {
      const first = await client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult();
      expect(first.attempts).toBe(2);
      // The corrected offset stays: the template path signs with it too.
      const second = await client.invokeStream({ prompt: 'Hello again', maxTokens: 5 }).finalResult();
      expect(second.attempts).toBe(1);
    } finally {
      client.destroy();
    }
  });
});

describe('Bedrock API keys', () => {
  it('the `token` option sends the key as a Bearer token and is answered', async () => {
    const client = clientWith({ token: API_KEY });
    try {
      const result = await client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult();
      expect(result.text.length).toBeGreaterThan(0);
    } finally {
      client.destroy();
    }
  });

  it('a wrong key is an AccessDeniedError, not retried', async () => {
    const client = clientWith({ token: 'not-the-key' });
    try {
      const error = await rejection(client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult());
      expect(error).toBeInstanceOf(AccessDeniedError);
    } finally {
      client.destroy();
    }
  });
});

it('an expired session token is an AccessDeniedError naming it, not retried', async () => {
  // A server with a right clock: against the skewed one the SDK would (rightly) retry after correcting.
  const punctual = await startEmulator({
    port: 0,
    speed: 'instant',
    credentials: TEST_CREDENTIALS,
    expiredSessionTokens: [EXPIRED.sessionToken],
  });
  const client = new BedrockStreamingClient({
    endpoint: punctual.url,
    region: 'us-east-1',
    modelId: CLAUDE,
    credentials: EXPIRED,
  });
  try {
    const error = await rejection(client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult());
    expect(error).toBeInstanceOf(AccessDeniedError);
    expect((error as AccessDeniedError).code).toBe('ExpiredTokenException');
    expect(punctual.requestLog.entries()).toHaveLength(1);
  } finally {
    client.destroy();
    await punctual.close();
  }
});

describe('the signing region with a custom endpoint', () => {
  const saved = { ...process.env };
  let server: H2TestServer;

  beforeAll(async () => {
    server = await startH2TestServer();
  });

  afterEach(() => {
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_CONFIG_FILE', 'AWS_PROFILE']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  afterAll(async () => {
    await server.close();
  });

  async function signingRegion(options: { profile?: string }): Promise<string | undefined> {
    const client = new BedrockStreamingClient({
      endpoint: server.url,
      credentials: TEST_CREDENTIALS,
      modelId: CLAUDE,
      ...options,
    });
    try {
      await client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult();
    } finally {
      client.destroy();
    }
    const authorization = String(server.received.at(-1)?.authorization ?? '');
    return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization)?.[1];
  }

  it("is the profile's region from ~/.aws/config, as the SDK signs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-config-'));
    writeFileSync(join(dir, 'config'), '[default]\nregion = eu-west-3\n\n[profile other]\nregion = ap-south-1\n');
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    expect(await signingRegion({})).toBe('eu-west-3');
    expect(await signingRegion({ profile: 'other' })).toBe('ap-south-1');
  });

  it('is us-east-1 only when nothing is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-config-'));
    writeFileSync(join(dir, 'config'), '');
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    expect(await signingRegion({})).toBe('us-east-1');
  });
});
