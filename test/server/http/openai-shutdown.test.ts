/**
 * `/v1` streams at shutdown (issue 14, defect 11) end the way /api/chat's do: a retryable
 * "server shutting down" with the partial text, in OpenAI's error format (a `data: {"error": ...}`
 * line, which the openai client raises as an APIError), not a non-retryable AbortError.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { CLAUDE, startHarness } from './server-harness.js';

describe('/v1/chat/completions at shutdown', () => {
  it('the stream ends with a retryable ServerShuttingDown error carrying the partial text', async () => {
    const h = await startHarness();
    try {
      h.emu.setSpeed('realistic');
      const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const stream = await openai.chat.completions.create({
        model: CLAUDE,
        messages: [{ role: 'user', content: 'A long story, please.' }],
        max_tokens: 2000,
        stream: true,
      });
      let text = '';
      let closing: Promise<void> | undefined;
      let failure: unknown;
      try {
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          if (text !== '' && closing === undefined) closing = h.server.close({ graceMs: 2_000 });
        }
      } catch (error) {
        failure = error;
      }
      await closing;
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      const error = (failure as InstanceType<typeof OpenAI.APIError>).error as Record<string, unknown>;
      expect(error).toMatchObject({ type: 'ServerShuttingDown', retryable: true, code: 'server_shutting_down' });
      expect(error.partial_text).toBe(text);
      const entry = await h.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5_000);
      expect(entry.outcome).toBe('client-aborted');
    } finally {
      await h.close();
    }
  });
});
