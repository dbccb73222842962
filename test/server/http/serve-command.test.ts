import { describe, expect, it } from 'vitest';
import { startServeProcess as serve } from '../../support/serve-process.js';
import { postJson, readAllText } from './server-harness.js';

describe('bedrock-inference serve', () => {
  it('--backend auto without AWS credentials starts the emulator, says so in one line, serves, and exits cleanly', async () => {
    const run = serve(['--api-key', 'cli-key']);
    try {
      const url = await run.url;
      const lines = run.output().split('\n');
      const using = lines.filter((line) => line.startsWith('Using '));
      expect(using).toHaveLength(1); // one clear line says which backend serves
      expect(using[0]).toMatch(
        /^Using the local Bedrock emulator at http:\/\/127\.0\.0\.1:\d+ \(no AWS credentials found/,
      );
      // The page is served at / and the banner says where to open it.
      expect(lines).toContain(`  Chat page: open ${url} in a browser`);
      // Served from dist/web: the page when built, else a 503 saying how to build it (never the API's 404).
      const home = await fetch(`${url}/`);
      if (home.status === 200) expect(home.headers.get('content-security-policy')).toContain("script-src 'self'");
      else expect(await home.json()).toMatchObject({ error: { type: 'page_not_built' } });
      expect((await postJson(`${url}/api/stream-completion`, { prompt: 'hi' })).status).toBe(401);
      const response = await postJson(
        `${url}/api/stream-completion`,
        { prompt: 'hi', maxTokens: 10 },
        { authorization: 'Bearer cli-key' },
      );
      expect(response.status).toBe(200);
      expect((await readAllText(response)).text.length).toBeGreaterThan(0);
    } finally {
      run.stop();
    }
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('Shutting down');
  }, 60_000);
});

describe('bedrock-inference serve --no-page', () => {
  it('serves the API without the page', async () => {
    const run = serve(['--backend', 'emulator', '--no-page']);
    try {
      const url = await run.url;
      expect(run.output()).not.toContain('Chat page');
      expect((await fetch(`${url}/`)).status).toBe(404);
      expect((await fetch(`${url}/api/models`)).status).toBe(200);
    } finally {
      run.stop();
    }
    expect(await run.exited).toBe(0);
  }, 60_000);
});

describe('bedrock-inference serve --tpm', () => {
  it("waits for the model's quota: a call that could never fit it is refused with what to change", async () => {
    const run = serve(['--backend', 'emulator', '--tpm', '50']);
    try {
      const url = await run.url;
      const refused = await postJson(`${url}/api/stream-completion`, { prompt: 'hi', maxTokens: 100 });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('more than the tokens-per-minute quota of 50');
      const fits = await postJson(`${url}/api/stream-completion`, { prompt: 'hi', maxTokens: 10 });
      expect(fits.status).toBe(200);
      expect((await readAllText(fits)).text.length).toBeGreaterThan(0);
    } finally {
      run.stop();
    }
    expect(await run.exited).toBe(0);
  }, 60_000);

  it('refuses a quota that is not a positive whole number', async () => {
    const run = serve(['--tpm', '0']);
    await expect(run.url).rejects.toThrow(/argument '0' is invalid. expected a whole number from 1/);
  }, 60_000);
});
