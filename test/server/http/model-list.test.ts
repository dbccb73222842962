/**
 * Every model the server offers (GET /api/models, what the page's pickers list) can really be called as
 * listed: the emulator refuses bare ids of models that Bedrock serves only through inference profiles,
 * as Bedrock does, so a listed id that needs a profile would fail for every user who picks it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, readAllText, startHarness, type Harness } from './server-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('GET /api/models', () => {
  it('lists only ids that answer as listed', async () => {
    const list = (await (await fetch(`${h.url}/api/models`)).json()) as { models: { id: string }[] };
    expect(list.models.length).toBeGreaterThan(5);
    for (const { id } of list.models) {
      const response = await postJson(`${h.url}/api/stream-completion`, { prompt: 'Hi', model: id, maxTokens: 5 });
      expect(response.status, `${id}: ${response.status === 200 ? '' : await response.text()}`).toBe(200);
      // Read to the end without an error (a reasoning model may spend 5 tokens on reasoning alone).
      expect((await readAllText(response)).error, id).toBeUndefined();
    }
  }, 60_000);
});
