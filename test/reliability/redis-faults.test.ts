/**
 * Redis faults (issue 14, suite part 5): a redis-server the test starts on its own port is killed
 * mid-stream and started again. The server must not crash, must end the running stream with a clear
 * error (never a silent `done` or a hang), refuse new generations with a retryable 5xx while Redis is
 * down, and serve again once Redis is back, without a restart; every key it wrote expires.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startHarness, type Harness } from '../server/http/server-harness.js';
import { SseReader } from '../server/http/sse-parse.js';
import { RedisProcess } from './redis-process.js';

let redis: RedisProcess;
let h: Harness;
beforeAll(async () => {
  redis = await RedisProcess.start();
  h = await startHarness({ redisUrl: redis.url, redisKeyPrefix: 'fault-test:' });
});
afterAll(async () => {
  await h?.close();
  await redis?.kill();
});

const chat = (maxTokens: number) => ({
  messages: [{ role: 'user', content: 'Tell a story about a storm.' }],
  maxTokens,
});

describe('Redis killed and restarted under the server', () => {
  it('a stream running when Redis dies ends with a clear error; new work is refused; then it recovers', async () => {
    h.emu.setSpeed('realistic');
    const reader = new SseReader(await postJson(`${h.url}/api/chat`, chat(1_000)));
    await reader.readUntil((events) => events.some((event) => event.event === 'text'));
    await redis.kill();

    // The running stream ends (no hang) and not as a success.
    const events = await reader.readAll();
    expect(events.at(-1)?.event, JSON.stringify(events.slice(-2))).not.toBe('done');
    const entry = await h.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 10_000);
    expect(entry.outcome).toBe('client-aborted'); // upstream closed

    // While Redis is down: a clear, retryable refusal, never a crash.
    h.emu.setSpeed('instant');
    const refused = await postJson(`${h.url}/api/chat`, chat(20));
    expect(refused.status).toBeGreaterThanOrEqual(500);
    const body = (await refused.json()) as { error: { message: string } };
    expect(body.error.message).not.toMatch(/\n\s+at /);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);

    // Redis comes back on the same port: the same server process serves again.
    await redis.restart();
    let recovered: string | undefined;
    for (let attempt = 0; attempt < 40 && recovered !== 'done'; attempt++) {
      const response = await postJson(`${h.url}/api/chat`, chat(20));
      if (response.status === 200) recovered = (await new SseReader(response).readAll()).at(-1)?.event;
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(recovered).toBe('done');

    // Every key the registry wrote expires (none is left forever).
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('fault-test:*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(await client.ttl(key), key).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  }, 60_000);
});
