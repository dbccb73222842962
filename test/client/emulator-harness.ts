/** Shared setup for client tests: an instant-speed emulator and our client pointed at it (real SDK, real HTTP). */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { BedrockStreamingClientOptions } from '../../src/client/types.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';

export const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';
/** What clientFor signs with; the test emulator checks every request's SigV4 signature against it. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export async function startTestEmulator(): Promise<Emulator> {
  return startEmulator({ port: 0, speed: 'instant', credentials: TEST_CREDENTIALS });
}

export function clientFor(emu: Emulator, options: BedrockStreamingClientOptions = {}): BedrockStreamingClient {
  return new BedrockStreamingClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    modelId: CLAUDE,
    // Tiny backoff keeps retry tests fast; the policy itself is unit-tested in retry.test.ts.
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
}

/**
 * A test emulator and our client for one test file: started before its tests, closed after them, and
 * before each test the emulator's faults, scripted answers and request log are cleared (so a test starts
 * from a clean emulator whatever the one before it left behind). Read `emu` and `client` inside tests
 * (they are set once the file's tests start).
 */
export function useEmulatorClient(): { readonly emu: Emulator; readonly client: BedrockStreamingClient } {
  const rig = {} as { emu: Emulator; client: BedrockStreamingClient };
  beforeAll(async () => {
    rig.emu = await startTestEmulator();
    rig.client = clientFor(rig.emu);
  });
  afterAll(async () => {
    rig.client.destroy();
    await rig.emu.close();
  });
  beforeEach(() => {
    rig.emu.faults.clear();
    rig.emu.scripts.clear();
    rig.emu.requestLog.clear();
  });
  return rig;
}

/** Catches what a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
