/**
 * performanceConfig, serviceTier and requestMetadata end to end: Converse carries them in its body (the
 * emulator's request log shows what arrived), InvokeModel* as the SDK command's header members (their
 * mapping is in test/models/content-requests.test.ts); bad values fail before any call.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { InferenceRequest } from '../../src/client/types.js';
import { ValidationError } from '../../src/errors.js';
import type { Emulator } from '../../src/emulator/server.js';
import { clientFor, startTestEmulator } from './emulator-harness.js';

let emu: Emulator;
let client: BedrockStreamingClient;

beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu);
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});
beforeEach(() => emu.requestLog.clear());

const options: Partial<InferenceRequest> = {
  performanceConfig: { latency: 'optimized' },
  serviceTier: 'priority',
  requestMetadata: { team: 'search', run: '42' },
};

describe('service options', () => {
  it('Converse: performanceConfig, serviceTier and requestMetadata in the body', async () => {
    const result = await client.invokeStream({ prompt: 'Hello', api: 'converse', ...options }).finalResult();
    expect(result.stopReason).toBe('end_turn');
    expect(emu.requestLog.entries()[0]).toMatchObject({ latency: 'optimized', serviceTier: 'priority' });
    expect(emu.requestLog.entries()[0]?.body).toMatchObject({
      performanceConfig: { latency: 'optimized' },
      serviceTier: { type: 'priority' },
      requestMetadata: { team: 'search', run: '42' },
    });
  });

  it('InvokeModelWithResponseStream and InvokeModel accept them (as headers)', async () => {
    expect((await client.invokeStream({ prompt: 'Hello', ...options }).finalResult()).stopReason).toBe('end_turn');
    expect((await client.invoke({ prompt: 'Hello', ...options })).stopReason).toBe('end_turn');
    // The emulator read them from the X-Amzn-Bedrock-* headers; the body stays the family's own.
    for (const entry of emu.requestLog.entries()) {
      expect(entry).toMatchObject({
        latency: 'optimized',
        serviceTier: 'priority',
        requestMetadata: { team: 'search', run: '42' },
      });
      expect(JSON.stringify(entry.body)).not.toMatch(/priority|optimized|search/);
    }
    expect(emu.requestLog.entries()).toHaveLength(2);
  });

  it.each<[string, Partial<InferenceRequest>, string]>([
    [
      'a latency',
      { performanceConfig: { latency: 'fast' as 'optimized' } },
      "performanceConfig.latency must be 'standard' or 'optimized'",
    ],
    ['a tier', { serviceTier: 'gold' as 'flex' }, "serviceTier must be 'default', 'priority' or 'flex'"],
    ['metadata values', { requestMetadata: { n: 1 as unknown as string } }, 'values strings of at most 256 characters'],
  ])('refuses %s Bedrock does not take, before any call', (_name, bad, message) => {
    expect(() => client.invokeStream({ prompt: 'Hello', ...bad })).toThrow(ValidationError);
    expect(() => client.invokeStream({ prompt: 'Hello', ...bad })).toThrow(message);
    expect(emu.requestLog.entries()).toHaveLength(0);
  });
});
