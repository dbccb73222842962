import { describe, expect, it } from 'vitest';
import { postJson, startHarness } from './server-harness.js';
import { SseReader } from './sse-parse.js';

const chat = { messages: [{ role: 'user', content: 'A long story, please.' }], maxTokens: 2000 };

describe('per-key limits', () => {
  it('refuses a second open stream for the same key with 429, not for another key', async () => {
    const h = await startHarness({ apiKeys: ['one', 'two'], limits: { perKey: { concurrentStreams: 1 } } });
    try {
      h.emu.setSpeed('realistic');
      const open = new SseReader(await postJson(`${h.url}/api/chat`, chat, { authorization: 'Bearer one' }));
      await open.readUntil((events) => events.length > 1);
      const refused = await postJson(
        `${h.url}/api/stream-completion`,
        { prompt: 'hi' },
        { authorization: 'Bearer one' },
      );
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('too_many_streams');
      h.emu.setSpeed('instant');
      const other = await postJson(
        `${h.url}/api/stream-completion`,
        { prompt: 'hi', maxTokens: 5 },
        { authorization: 'Bearer two' },
      );
      expect(other.status).toBe(200);
      await other.text();
      await open.cancel();
    } finally {
      await h.close();
    }
  });

  it('limits streams started per minute, with Retry-After', async () => {
    const h = await startHarness({ limits: { perKey: { requestsPerMinute: 2 } } });
    try {
      for (let i = 0; i < 2; i += 1) {
        const ok = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi', maxTokens: 5 });
        expect(ok.status).toBe(200);
        await ok.text();
      }
      const refused = await postJson(`${h.url}/api/stream-completion`, { prompt: 'hi', maxTokens: 5 });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { error: { type: string } }).error.type).toBe('rate_limited');
    } finally {
      await h.close();
    }
  });
});
