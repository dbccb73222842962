/**
 * The server's HTTP API under generated hostile requests (issue 14, suite part 3), seeded: never a
 * 5xx, and the process keeps serving. Runs against a real server on the instant emulator.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../server/http/server-harness.js';
import { hostileRequest, sendHostile } from './http-fuzz.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ limits: { maxOutputTokens: 200, bodyTimeoutMs: 2_000 } });
});
afterAll(async () => {
  await h.close();
});

describe('hostile HTTP requests', () => {
  it('never get a 5xx, and the server stays up', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        const response = await sendHostile(h.url, request);
        if (response === undefined) return;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(
          response.status,
          `${request.method} ${request.path.slice(0, 200)}: ${response.body.slice(0, 300)}`,
        ).toBeLessThan(500);
      }),
      { seed: 1414, numRuns: 400 },
    );
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    // The generator reached the interesting classes, not only 404s.
    for (const status of [400, 403, 404, 415]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
  }, 120_000);
});
