/**
 * Latency profile, service tier and request metadata through the real AWS SDK: accepted, echoed and
 * recorded in the request log when valid, refused with a ValidationException when not.
 */
import { ConverseCommand, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { CLAUDE, claudeBody, rejection, useEmulator } from './support.js';

const rig = useEmulator();

describe('InvokeModel headers', () => {
  it('records the latency profile, service tier and request metadata; refuses bad values', async () => {
    const response = await rig.client.send(
      new InvokeModelCommand({
        modelId: CLAUDE,
        body: claudeBody('hi'),
        performanceConfigLatency: 'optimized',
        serviceTier: 'priority',
        requestMetadata: JSON.stringify({ team: 'search' }),
      }),
    );
    expect(response.performanceConfigLatency).toBe('optimized');
    expect(response.serviceTier).toBe('priority');
    expect(rig.emu.requestLog.entries().at(-1)).toMatchObject({
      latency: 'optimized',
      serviceTier: 'priority',
      requestMetadata: { team: 'search' },
    });
    const bad = await rejection(
      rig.client.send(
        new InvokeModelCommand({ modelId: CLAUDE, body: claudeBody('hi'), serviceTier: 'gold' as never }),
      ),
    );
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toContain("Value 'gold' at 'serviceTier'");
  });
});

describe('Converse fields', () => {
  it('echoes performanceConfig and serviceTier; refuses a bad latency', async () => {
    const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];
    const answer = await rig.client.send(
      new ConverseCommand({
        modelId: CLAUDE,
        messages,
        performanceConfig: { latency: 'standard' },
        serviceTier: { type: 'flex' },
        requestMetadata: { app: 'chat' },
      }),
    );
    expect(answer.performanceConfig?.latency).toBe('standard');
    expect(answer.serviceTier?.type).toBe('flex');
    expect(rig.emu.requestLog.entries().at(-1)!.requestMetadata).toEqual({ app: 'chat' });
    const bad = await rejection(
      rig.client.send(
        new ConverseCommand({ modelId: CLAUDE, messages, performanceConfig: { latency: 'fast' as never } }),
      ),
    );
    expect(bad.message).toContain("Value 'fast' at 'performanceConfig.latency'");
  });
});
