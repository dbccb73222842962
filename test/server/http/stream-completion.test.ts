import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAUDE, clientFor, postJson, readAllText, startHarness, type Harness } from './server-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('POST /api/stream-completion', () => {
  it('streams the answer as text/plain chunks a fetch reader decodes to the library text', async () => {
    const prompt = 'Write a short story about space exploration.';
    const expected = await clientFor(h.emu).invoke({ prompt, maxTokens: 80, temperature: 0 });
    const response = await postJson(`${h.url}/api/stream-completion`, { prompt, maxTokens: 80, temperature: 0 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const { text } = await readAllText(response);
    expect(text).toBe(expected.text);
    expect(text.length).toBeGreaterThan(20);
    const logged = h.emu.requestLog.entries().at(-1)!;
    expect(logged.operation).toBe('InvokeModelWithResponseStream');
    expect(logged.modelId).toBe(CLAUDE);
    expect(logged.outcome).toBe('completed');
  });

  it('a client that goes away closes the upstream Bedrock request', async () => {
    h.emu.setSpeed('realistic');
    try {
      h.emu.requestLog.clear();
      const controller = new AbortController();
      const response = await fetch(`${h.url}/api/stream-completion`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'Tell me a long tale.', maxTokens: 2000 }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      const entry = await h.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5_000);
      expect(entry.outcome).toBe('client-aborted');
      expect(entry.chunksSent).toBeLessThan(400);
    } finally {
      h.emu.setSpeed('instant');
    }
  });

  it('a mid-stream Bedrock failure cuts the connection so the reader rejects (after the partial text)', async () => {
    h.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 3 },
    });
    const response = await postJson(`${h.url}/api/stream-completion`, { prompt: 'Hello there', maxTokens: 200 });
    expect(response.status).toBe(200);
    const { text, error } = await readAllText(response);
    expect(error).toBeInstanceOf(TypeError);
    expect(text.length).toBeGreaterThan(0);
    expect(h.emu.requestLog.entries().at(-1)!.outcome).toBe('fault');
  });
});
