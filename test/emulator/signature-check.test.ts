/**
 * `startEmulator({ credentials })` checks SigV4 as Bedrock does: the real SDK with the configured key gets
 * answers over HTTP/2 and HTTP/1.1; a wrong secret, an unknown key, a changed body or a stale date get
 * AWS's 403s, which the SDK and our client report as such (not retried). Without the option any request
 * passes, as before.
 */
import { createHash } from 'node:crypto';
import http2 from 'node:http2';
import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { AccessDeniedError } from '../../src/errors.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLAUDE, claudeBody, collectInvokeStream, invokeText, sdkClient } from './support.js';

const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };
const Sha256 = sdkClient('http://127.0.0.1:1').config.sha256;

async function rejectionOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** A request signed with SignatureV4 (optionally at another date), then sent as is with `body` over h2c. */
async function sendSigned(
  url: string,
  options: { signedBody: string; body?: string; signingDate?: Date; dropPayloadHash?: boolean },
): Promise<{ status: number; errorType: string; message: string }> {
  const { host } = new URL(url);
  const path = `/model/${encodeURIComponent(CLAUDE)}/invoke`;
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'bedrock', sha256: Sha256 });
  const headers: Record<string, string> = { 'content-type': 'application/json', ':authority': host };
  // As the SDK sends it: the signed body's SHA-256 in a signed header (left out when asked to).
  if (!options.dropPayloadHash)
    headers['x-amz-content-sha256'] = createHash('sha256').update(options.signedBody).digest('hex');
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path,
      headers: { ...headers },
      body: options.signedBody,
    },
    { signingDate: options.signingDate ?? new Date() },
  );
  const sentHeaders = { ...signed.headers };
  // SignatureV4 adds the hash header itself; a request without it leaves the body to the signature alone.
  if (options.dropPayloadHash) delete sentHeaders['x-amz-content-sha256'];
  const session = http2.connect(url);
  try {
    const request = session.request({ ...sentHeaders, ':method': 'POST', ':path': path });
    const parts: Buffer[] = [];
    const response = await new Promise<{ status: number; errorType: string }>((resolve, reject) => {
      request.on('response', (h) =>
        resolve({ status: Number(h[':status']), errorType: String(h['x-amzn-errortype'] ?? '').split(':')[0]! }),
      );
      request.on('error', reject);
      request.end(options.body ?? options.signedBody);
    });
    request.on('data', (part: Buffer) => parts.push(part));
    await new Promise((resolve) => request.on('end', resolve));
    const message = (JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as { message?: string }).message ?? '';
    return { ...response, message };
  } finally {
    session.close();
  }
}

describe('the emulator with credentials checks SigV4', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, speed: 'instant', credentials });
  });

  afterAll(async () => {
    await emu.close();
  });

  it('answers the real SDK signing with the configured key, over HTTP/2 and HTTP/1.1', async () => {
    for (const http1 of [false, true]) {
      const client = sdkClient(emu.url, { http1, credentials });
      try {
        const { text } = await invokeText(client, CLAUDE, claudeBody('Say hello.', 20));
        expect(text.length).toBeGreaterThan(0);
        const streamed = await collectInvokeStream(client, CLAUDE, claudeBody('Say hello.', 20));
        expect(streamed.error).toBeUndefined();
        expect(streamed.text).toBe(text);
      } finally {
        client.destroy();
      }
    }
  });

  it('rejects a wrong secret and an unknown key with the 403s AWS sends', async () => {
    const cases = [
      [{ ...credentials, secretAccessKey: 'wrong' }, 'InvalidSignatureException', 'signature we calculated'],
      [{ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }, 'UnrecognizedClientException', 'token'],
    ] as const;
    for (const [used, name, message] of cases) {
      const client = sdkClient(emu.url, { credentials: used, maxAttempts: 1 });
      try {
        const error = await rejectionOf(
          client.send(
            new InvokeModelCommand({ modelId: CLAUDE, body: claudeBody('hi'), contentType: 'application/json' }),
          ),
        );
        expect(error.name).toBe(name);
        expect(error.message).toContain(message);
        expect(error.$metadata?.httpStatusCode).toBe(403);
      } finally {
        client.destroy();
      }
    }
  });

  it('rejects a body other than the one signed, and a stale signing date', async () => {
    const signedBody = claudeBody('the signed prompt', 20);
    const changed = claudeBody('another prompt', 20);
    expect(await sendSigned(emu.url, { signedBody })).toMatchObject({ status: 200 });
    expect(await sendSigned(emu.url, { signedBody, dropPayloadHash: true })).toMatchObject({ status: 200 });
    // With the payload hash header, the hash no longer matches; without it, the signature does not.
    expect(await sendSigned(emu.url, { signedBody, body: changed })).toMatchObject({
      status: 403,
      errorType: 'InvalidSignatureException',
      message: expect.stringContaining('x-amz-content-sha256'),
    });
    expect(await sendSigned(emu.url, { signedBody, body: changed, dropPayloadHash: true })).toMatchObject({
      status: 403,
      errorType: 'InvalidSignatureException',
      message: expect.stringContaining('signature we calculated'),
    });
    const stale = new Date(Date.now() - 10 * 60_000);
    expect(await sendSigned(emu.url, { signedBody, signingDate: stale })).toMatchObject({
      status: 403,
      errorType: 'InvalidSignatureException',
      message: expect.stringContaining('Signature expired'),
    });
  });

  it('answers an unsigned request (curl) with MissingAuthenticationTokenException', async () => {
    const response = await fetch(`${emu.url}/model/${encodeURIComponent(CLAUDE)}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: claudeBody('Hello', 20),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException:/);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('reaches our client as an AccessDeniedError, not retried', async () => {
    const client = new BedrockStreamingClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { ...credentials, secretAccessKey: 'wrong' },
      modelId: CLAUDE,
    });
    emu.requestLog.clear();
    try {
      const error = await rejectionOf(client.invokeStream({ prompt: 'Say hello.', maxTokens: 20 }).finalResult());
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error.message).toContain('signature');
      expect(emu.requestLog.entries().map((entry) => [entry.status, entry.errorType])).toEqual([
        [403, 'InvalidSignatureException'],
      ]);
    } finally {
      client.destroy();
    }
  });
});

describe('the emulator without credentials', () => {
  it('accepts a request whatever its signature', async () => {
    const emu = await startEmulator({ port: 0, speed: 'instant' });
    const client = sdkClient(emu.url, { credentials: { accessKeyId: 'anything', secretAccessKey: 'at all' } });
    try {
      const { text } = await invokeText(client, CLAUDE, claudeBody('Say hello.', 20));
      expect(text.length).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await emu.close();
    }
  });
});
