/**
 * Our SDK client signs with one kept SigV4 signer (cached-signer.ts). Both it and a default SDK client
 * send to a local HTTP/2 server, and each captured request's signature is checked by signing the same
 * request again, independently, with the SDK's SignatureV4 and node's crypto: a valid SigV4 signature for
 * these credentials, region and service, exactly as the default signer makes it.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwnSdkClient } from '../../../src/client/transport/own-client-transport.js';
import { expectedAuthorization, startRecordingServer, type RecordingServer } from './recording-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});

afterAll(async () => {
  await server.close();
});

describe('the kept SigV4 signer and single-attempt headers', () => {
  it('signs every request validly, like the default signer, across calls', async () => {
    const ours = createOwnSdkClient({ endpoint: server.url, region: 'us-east-1', credentials });
    const defaults = new BedrockRuntimeClient({ endpoint: server.url, region: 'us-east-1', credentials });
    const send = (client: BedrockRuntimeClient, n: number) =>
      client.send(
        new InvokeModelCommand({
          modelId: 'anthropic.claude-x',
          body: JSON.stringify({ n }),
          contentType: 'application/json',
        }),
      );
    try {
      for (let n = 0; n < 3; n++) {
        await send(ours, n);
        await send(defaults, n);
      }
    } finally {
      ours.destroy();
      defaults.destroy();
    }
    const captured = server.requests;
    expect(captured).toHaveLength(6);
    for (const request of captured) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\//,
      );
      expect(request.headers.authorization).toBe(await expectedAuthorization(request, credentials));
    }
    // Ours (even sends) carries the headers a default client does, its single attempt said as the SDK says it.
    const [oursSent, defaultSent] = [captured.filter((_, i) => i % 2 === 0), captured.filter((_, i) => i % 2 === 1)];
    for (const [index, request] of oursSent.entries()) {
      expect(Object.keys(request.headers).sort()).toEqual(Object.keys(defaultSent[index]!.headers).sort());
      expect(request.headers['amz-sdk-request']).toBe('attempt=1; max=1');
      expect(request.headers['amz-sdk-invocation-id']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    expect(new Set(oursSent.map((request) => request.headers['amz-sdk-invocation-id'])).size).toBe(3);
  });
});
