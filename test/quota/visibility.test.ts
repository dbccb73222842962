/**
 * The books are visible: `limiter.snapshot()` per model, the server's /metrics (one gauge per field,
 * labelled by quota key), and `bedrock-inference quota --redis-url` reading the fleet's books from Redis
 * as a separate process. `bedrock-inference serve --rpm --redis-url` books its calls in Redis.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from '../../src/server/index.js';
import { createQuotaLimiter } from '../../src/quota/index.js';
import { HAIKU, REDIS_URL, deleteKeys, quotaEmulator, testPrefix } from './harness.js';

const prefix = testPrefix();
const ROOT = new URL('../..', import.meta.url).pathname;
afterAll(() => deleteKeys(prefix));

describe('quota visibility', () => {
  it('snapshot, /metrics and the quota command show the same books', async () => {
    const emu = await quotaEmulator({});
    const limiter = createQuotaLimiter({
      tokensPerMinute: 50_000,
      requestsPerMinute: 100,
      redis: REDIS_URL,
      keyPrefix: prefix,
    });
    const server = createServer({
      clientOptions: {
        endpoint: emu.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        modelId: HAIKU,
        quota: limiter,
      },
      logger: false,
      page: false,
    });
    const url = await server.listen(0);
    try {
      const answer = await fetch(`${url}/api/stream-completion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'Hello.', maxTokens: 30 }),
      });
      await answer.text();
      const [model] = (await limiter.snapshot()).models;
      expect(model).toMatchObject({ key: `on-demand/${HAIKU}`, requestsAvailable: 99, rateFactor: 1, waiting: 0 });

      const metrics = await (await fetch(`${url}/metrics`)).text();
      const label = `{model="on-demand/${HAIKU}"}`;
      expect(metrics).toContain(`bedrock_quota_requests_available${label} 99`);
      expect(metrics).toContain(`bedrock_quota_rate_factor${label} 1`);
      expect(metrics).toMatch(new RegExp(`bedrock_quota_tokens_available\\{model="on-demand/[^"]+"\\} \\d+`));

      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/index.ts', 'quota', '--redis-url', REDIS_URL, '--key-prefix', prefix, '--json'],
        { cwd: ROOT },
      );
      // Read from Redis with the limits the fleet booked (the bucket refills meanwhile: 99 or 100).
      const printed = JSON.parse(stdout) as { models: { key: string; requestsAvailable: number }[] };
      expect(printed.models).toEqual([
        expect.objectContaining({ key: `on-demand/${HAIKU}`, learntRequestsPerPeriod: 100, tokensReserved: 0 }),
      ]);
      expect(printed.models[0]!.requestsAvailable).toBeGreaterThanOrEqual(99);
    } finally {
      await server.close();
      await limiter.close();
      await emu.close();
    }
  });

  it('serve --rpm with --redis-url keeps its books in Redis and on /metrics', async () => {
    const child = spawn(
      process.execPath,
      [
        ...['--import', 'tsx', 'src/cli/index.ts', 'serve', '--backend', 'emulator', '--port', '0', '--no-page'],
        ...['--rpm', '50', '--redis-url', REDIS_URL],
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const redis = new Redis(REDIS_URL);
    try {
      let stdout = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /Streaming server on (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
      });
      const answer = await fetch(`${url}/api/stream-completion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'Hello.', maxTokens: 30 }),
      });
      expect(answer.status).toBe(200);
      await answer.text();
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const booked = /bedrock_quota_requests_available\{model="([^"]+)"\} (\d+)/.exec(metrics);
      expect(booked).not.toBeNull();
      expect(Number(booked![2])).toBeGreaterThanOrEqual(48);
      expect(await redis.hget(`bedrock-quota:{${booked![1]}}:h`, 'limits')).toMatch(/^0,50,60000,/);
    } finally {
      child.kill('SIGTERM');
      await deleteKeys('bedrock-quota:{');
      redis.disconnect();
    }
  });
});
