/** Shared setup for client tests: an instant-speed emulator and our client pointed at it (real SDK, real HTTP). */
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

/** Catches what a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
