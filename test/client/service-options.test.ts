/**
 * performanceConfig, serviceTier and requestMetadata end to end: Converse carries them in its body (the
 * emulator's request log shows what arrived), InvokeModel* as the SDK command's header members (their
 * mapping is in test/models/content-requests.test.ts); bad values fail before any call.
 */
import { describe, expect, it } from 'vitest';
import type { InferenceRequest } from '../../src/client/types.js';
import { ValidationError } from '../../src/errors.js';
import { useEmulatorClient } from './emulator-harness.js';

const rig = useEmulatorClient();

const options: Partial<InferenceRequest> = {
  performanceConfig: { latency: 'optimized' },
  serviceTier: 'priority',
  requestMetadata: { team: 'search', run: '42' },
};

describe('service options', () => {
  it('Converse: performanceConfig, serviceTier and requestMetadata in the body', async () => {
    const result = await rig.client.invokeStream({ prompt: 'Hello', api: 'converse', ...options }).finalResult();
    expect(result.stopReason).toBe('end_turn');
    expect(rig.emu.requestLog.entries()[0]).toMatchObject({ latency: 'optimized', serviceTier: 'priority' });
    expect(rig.emu.requestLog.entries()[0]?.body).toMatchObject({
      performanceConfig: { latency: 'optimized' },
      serviceTier: { type: 'priority' },
      requestMetadata: { team: 'search', run: '42' },
    });
  });

  it('InvokeModelWithResponseStream and InvokeModel accept them (as headers)', async () => {
    expect((await rig.client.invokeStream({ prompt: 'Hello', ...options }).finalResult()).stopReason).toBe('end_turn');
    expect((await rig.client.invoke({ prompt: 'Hello', ...options })).stopReason).toBe('end_turn');
    // The emulator read them from the X-Amzn-Bedrock-* headers; the body stays the family's own.
    for (const entry of rig.emu.requestLog.entries()) {
      expect(entry).toMatchObject({
        latency: 'optimized',
        serviceTier: 'priority',
        requestMetadata: { team: 'search', run: '42' },
      });
      expect(JSON.stringify(entry.body)).not.toMatch(/priority|optimized|search/);
    }
    expect(rig.emu.requestLog.entries()).toHaveLength(2);
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
    expect(() => rig.client.invokeStream({ prompt: 'Hello', ...bad })).toThrow(ValidationError);
    expect(() => rig.client.invokeStream({ prompt: 'Hello', ...bad })).toThrow(message);
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
  });
});
