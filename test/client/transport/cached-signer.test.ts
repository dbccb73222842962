/**
 * Our SDK client signs with one kept SigV4 signer (cached-signer.ts). Both it and a default SDK client
 * send to a local HTTP/2 server, and each captured request's signature is checked by signing the same
 * request again, independently, with the SDK's SignatureV4 and node's crypto: a valid SigV4 signature for
 * these credentials, region and service, exactly as the default signer makes it.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwnSdkClient } from '../../../src/client/transport/own-client-transport.js';

interface Captured {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const captured: Captured[] = [];
let server: http2.Http2Server;
let url = '';

beforeAll(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const parts: Buffer[] = [];
    stream.on('data', (part: Buffer) => parts.push(part));
    stream.on('end', () => {
      const plain: Record<string, string> = {};
      // Over HTTP/2 the SDK signs `:authority` in place of `host`; keep it for the check.
      for (const [name, value] of Object.entries(headers)) {
        if ((!name.startsWith(':') || name === ':authority') && value !== undefined) plain[name] = String(value);
      }
      captured.push({
        method: String(headers[':method']),
        path: String(headers[':path']),
        headers: plain,
        body: Buffer.concat(parts).toString('utf8'),
      });
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-amzn-requestid': 'r' });
      stream.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** A Checksum over node's crypto, independent of the SDK's hash implementation. */
class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {}
}

/** Signs the captured request again with only the headers it says were signed, at its own date. */
async function expectedAuthorization(request: Captured): Promise<string> {
  const signedNames = /SignedHeaders=([^,]+)/.exec(request.headers.authorization ?? '')?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedNames) headers[name] = request.headers[name]!;
  const amzDate = request.headers['x-amz-date']!;
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
  );
  const [path] = request.path.split('?') as [string];
  const unsigned: HttpRequest = {
    method: request.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: decodeURIComponent(path),
    headers,
    body: request.body,
  };
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'bedrock', sha256: NodeSha256 });
  const signed = await signer.sign(unsigned, { signingDate });
  return signed.headers.authorization!;
}

describe('the kept SigV4 signer and single-attempt headers', () => {
  it('signs every request validly, like the default signer, across calls', async () => {
    const ours = createOwnSdkClient({ endpoint: url, region: 'us-east-1', credentials });
    const defaults = new BedrockRuntimeClient({ endpoint: url, region: 'us-east-1', credentials });
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
    expect(captured).toHaveLength(6);
    for (const request of captured) {
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\//,
      );
      expect(request.headers.authorization).toBe(await expectedAuthorization(request));
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
