/** Bad requests get what Bedrock gives: status, x-amzn-errortype, a {"message"} body in Bedrock's words. */
import { InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLAUDE, claudeBody, sdkClient } from './support.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, speed: 'instant', maxBodyBytes: 10_000 });
});
afterAll(() => emulator.close());

async function sdkError(modelId: string, body: string): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  const client = sdkClient(emulator.url);
  try {
    await client.send(new InvokeModelWithResponseStreamCommand({ modelId, body, contentType: 'application/json' }));
    throw new Error('expected the request to fail');
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  } finally {
    client.destroy();
  }
}

describe('bad requests through the SDK', () => {
  it('a Claude body without max_tokens', async () => {
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const error = await sdkError(CLAUDE, body);
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/max_tokens/);
  });

  it('an extraneous key such as stream', async () => {
    const error = await sdkError(CLAUDE, claudeBody('Hi', 10, { stream: true }));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/extraneous key \[stream\] is not permitted/);
  });

  it('an unknown model', async () => {
    const error = await sdkError('anthropic.claude-9-imaginary-v1:0', claudeBody('Hi'));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('The provided model identifier is invalid.');
  });

  it('a model that needs an inference profile', async () => {
    const error = await sdkError('anthropic.claude-sonnet-4-5-20250929-v1:0', claudeBody('Hi'));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/on-demand throughput isn.t supported/);
  });

  it('malformed JSON', async () => {
    const error = await sdkError(CLAUDE, '{"anthropic_version": ');
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/Malformed input request/);
  });

  it('a body over the size limit', async () => {
    const error = await sdkError(CLAUDE, claudeBody('x'.repeat(20_000)));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/less than or equal to 10000/);
  });

  it('non-alternating messages', async () => {
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 10,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'user', content: 'Hi again' },
      ],
    });
    const error = await sdkError(CLAUDE, body);
    expect(error.name).toBe('ValidationException');
  });
});

describe('the emulator never crashes', () => {
  it('survives garbage bodies, wrong types and odd paths, then still serves', async () => {
    const garbage = [
      'null',
      '[]',
      '"text"',
      '{"messages": 5}',
      '\u0000\u0001',
      '{'.repeat(5_000),
      '{"max_tokens": -1}',
    ];
    for (const body of garbage) {
      const response = await fetch(`${emulator.url}/model/${CLAUDE}/invoke`, { method: 'POST', body });
      expect([400, 413]).toContain(response.status);
      const parsed = (await response.json()) as { message: string };
      expect(parsed.message.length).toBeGreaterThan(0);
    }
    const badId = await fetch(`${emulator.url}/model/%E0%A4%A/invoke`, { method: 'POST', body: '{}' });
    expect(badId.status).toBe(400);
    const client = sdkClient(emulator.url);
    const ok = await client.send(new InvokeModelCommand({ modelId: CLAUDE, body: claudeBody('Still there?', 10) }));
    expect(ok.$metadata.httpStatusCode).toBe(200);
    client.destroy();
  });
});
