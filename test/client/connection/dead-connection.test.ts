/**
 * A pooled HTTP/2 connection that goes silent without a reset (a NAT or firewall entry dropped: the TCP
 * proxy stops forwarding but keeps both sockets open). Before the fix every later request was put on the
 * dead session and waited for the first-chunk timeout; now an idle session is PINGed before reuse and a
 * stalled one is retired and the call retried once on a fresh connection.
 */
import { BedrockRuntimeClient, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../../src/errors.js';
import type { Emulator } from '../../../src/emulator/server.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { CLAUDE, clientFor, startTestEmulator, TEST_CREDENTIALS } from '../emulator-harness.js';

let emulator: Emulator;
let proxy: TcpProxy;

beforeEach(async () => {
  emulator = await startTestEmulator();
  proxy = await startTcpProxy(emulator.port);
});

afterEach(async () => {
  await proxy.close();
  await emulator.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a pooled connection that went silent', () => {
  it('is PINGed after being idle and replaced, so a burst after it is answered on a new connection', async () => {
    const client = clientFor(emulator, {
      endpoint: proxy.url,
      connection: { pingAfterIdleMs: 20, pingTimeoutMs: 300 },
      // Generous: the test fails by hanging into this timeout, never by being slow.
      timeouts: { firstChunkMs: 30_000 },
    });
    try {
      await client.invokeStream({ prompt: 'warm up', maxTokens: 5 }).finalResult();
      expect(proxy.connections).toBe(1);
      expect(proxy.freezeAll()).toBe(1);
      await sleep(50); // idle longer than pingAfterIdleMs
      const results = await Promise.all(
        Array.from({ length: 5 }, () => client.invokeStream({ prompt: 'after the drop', maxTokens: 5 }).finalResult()),
      );
      expect(results.map((result) => result.text.length > 0)).toEqual([true, true, true, true, true]);
      // No attempt was spent on the dead connection: the PING found it dead first.
      expect(results.map((result) => result.attempts)).toEqual([1, 1, 1, 1, 1]);
      expect(proxy.connections).toBe(2);
    } finally {
      client.destroy();
    }
  });

  it('retires a session whose request stalled before the first chunk and retries once on a fresh one', async () => {
    const client = clientFor(emulator, {
      endpoint: proxy.url,
      // Never PINGed before reuse here: the stall itself must be detected.
      connection: { pingAfterIdleMs: 60_000, pingTimeoutMs: 300 },
      timeouts: { firstChunkMs: 1_000 },
    });
    try {
      await client.invokeStream({ prompt: 'warm up', maxTokens: 5 }).finalResult();
      proxy.freezeAll();
      const stream = client.invokeStream({ prompt: 'stalls, then retried', maxTokens: 5 });
      const retries: unknown[] = [];
      for await (const event of stream.events()) if (event.type === 'retry') retries.push(event.error);
      const result = await stream.finalResult();
      expect(result.attempts).toBe(2);
      expect(retries).toHaveLength(1);
      expect(retries[0]).toBeInstanceOf(TimeoutError);
      expect(proxy.connections).toBe(2);
      // The next call goes to the fresh connection at once.
      expect((await client.invokeStream({ prompt: 'next', maxTokens: 5 }).finalResult()).attempts).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('reference: the plain SDK answers after the same drop (its handler opens a connection per stream)', async () => {
    const sdk = new BedrockRuntimeClient({ endpoint: proxy.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    const send = async () => {
      const output = await sdk.send(
        new InvokeModelWithResponseStreamCommand({
          modelId: CLAUDE,
          contentType: 'application/json',
          body: JSON.stringify({
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: 5,
            messages: [{ role: 'user', content: 'Hello' }],
          }),
        }),
      );
      let chunks = 0;
      for await (const event of output.body!) if (event.chunk !== undefined) chunks++;
      return chunks;
    };
    try {
      expect(await send()).toBeGreaterThan(0);
      proxy.freezeAll();
      expect(await send()).toBeGreaterThan(0);
    } finally {
      sdk.destroy();
    }
  });

  it('closes a connection idle longer than idleTimeoutMs', async () => {
    const client = clientFor(emulator, { endpoint: proxy.url, connection: { idleTimeoutMs: 30 } });
    try {
      await client.invokeStream({ prompt: 'one', maxTokens: 5 }).finalResult();
      await sleep(100);
      await client.invokeStream({ prompt: 'two', maxTokens: 5 }).finalResult();
      expect(proxy.connections).toBe(2);
    } finally {
      client.destroy();
    }
  });
});
