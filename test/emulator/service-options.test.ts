/**
 * Latency profile, service tier and request metadata through the real AWS SDK: accepted, echoed and
 * recorded in the request log when valid, refused with a ValidationException when not.
 */
import { ConverseCommand, InvokeModelCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLAUDE, claudeBody, sdkClient } from './support.js';

let emulator: Emulator;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  emulator = await startEmulator({ speed: 'instant' });
  client = sdkClient(emulator.url);
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});

async function rejection(promise: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error('expected a rejection');
}

describe('InvokeModel headers', () => {
  it('records the latency profile, service tier and request metadata; refuses bad values', async () => {
    const response = await client.send(
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
    expect(emulator.requestLog.entries().at(-1)).toMatchObject({
      latency: 'optimized',
      serviceTier: 'priority',
      requestMetadata: { team: 'search' },
    });
    const bad = await rejection(
      client.send(new InvokeModelCommand({ modelId: CLAUDE, body: claudeBody('hi'), serviceTier: 'gold' as never })),
    );
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toContain("Value 'gold' at 'serviceTier'");
  });
});

describe('Converse fields', () => {
  it('echoes performanceConfig and serviceTier; refuses a bad latency', async () => {
    const messages = [{ role: 'user' as const, content: [{ text: 'hi' }] }];
    const answer = await client.send(
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
    expect(emulator.requestLog.entries().at(-1)!.requestMetadata).toEqual({ app: 'chat' });
    const bad = await rejection(
      client.send(new ConverseCommand({ modelId: CLAUDE, messages, performanceConfig: { latency: 'fast' as never } })),
    );
    expect(bad.message).toContain("Value 'fast' at 'performanceConfig.latency'");
  });
});
