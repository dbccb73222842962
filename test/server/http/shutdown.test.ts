import { describe, expect, it } from 'vitest';
import { postJson, startHarness } from './server-harness.js';
import { SseReader } from './sse-parse.js';

describe('graceful shutdown', () => {
  it('gives open streams a final event, closes upstream, refuses new work and exits', async () => {
    const h = await startHarness();
    try {
      h.emu.setSpeed('realistic');
      const reader = new SseReader(
        await postJson(`${h.url}/api/chat`, {
          messages: [{ role: 'user', content: 'A long story, please.' }],
          maxTokens: 2000,
        }),
      );
      const seen = await reader.readUntil((events) => events.some((event) => event.event === 'text'));
      expect(seen.length).toBeGreaterThan(1);

      const closing = h.server.close({ graceMs: 2_000 });
      const events = await reader.readAll();
      await closing;

      const last = events.at(-1)!;
      expect(last.event).toBe('error');
      const data = JSON.parse(last.data) as { type: string; retryable: boolean; partialText: string };
      const texts = events.filter((event) => event.event === 'text');
      expect(data).toMatchObject({ type: 'ServerShuttingDown', retryable: true });
      expect(data.partialText).toBe(texts.map((event) => (JSON.parse(event.data) as { text: string }).text).join(''));
      const entry = await h.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5_000);
      expect(entry.outcome).toBe('client-aborted');
      await expect(fetch(`${h.url}/healthz`)).rejects.toThrow();
      expect(h.server.server.listening).toBe(false);
    } finally {
      await h.close();
    }
  });
});
