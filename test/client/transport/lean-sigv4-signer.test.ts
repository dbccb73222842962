/**
 * The lean signer must sign exactly as the SDK's SignatureV4: for generated requests of our client's
 * shape (model ids with `:`, ARNs with `/`, dot segments, odd header case and spacing, session tokens,
 * multi-byte bodies, dates across midnight) every header of the signed request is compared with
 * SignatureV4's, and the fallback is checked to be untouched; shapes it does not handle must reach the
 * fallback and come out as SignatureV4 signs them.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest as SignableRequest, RequestSigningArguments } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { LeanSigV4Signer } from '../../../src/client/transport/lean-sigv4-signer.js';
// Deterministic, so a failure can be reproduced from its index.
import { mulberry32 as random } from '../../../src/emulator/text/seeded-random.js';

const BASE_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** The hash a default SDK client signs with. */
const Sha256 = new BedrockRuntimeClient({ region: 'us-east-1' }).config.sha256;

/** A SignatureV4 that counts the requests it signs. */
function countingSigner(signer: SignatureV4) {
  return {
    calls: 0,
    sign(request: SignableRequest, options?: RequestSigningArguments): Promise<SignableRequest> {
      this.calls++;
      return signer.sign(request, options);
    },
  };
}

function signers(credentials: AwsCredentialIdentity, region = 'us-east-1', service = 'bedrock') {
  const settings = { credentials, region, service, uriEscapePath: true };
  const reference = new SignatureV4({ ...settings, sha256: Sha256 });
  const fallback = countingSigner(new SignatureV4({ ...settings, sha256: Sha256 }));
  return { reference, fallback, lean: new LeanSigV4Signer({ ...settings, fallback }) };
}

const MODEL_IDS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
  'arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.meta.llama3-1-70b-instruct-v1:0',
  'amazon.nova-lite-v1:0',
  "odd model (id)!*'",
];
const PATH_SHAPES = [
  (id: string) => `/model/${encodeURIComponent(id)}/invoke-with-response-stream`,
  (id: string) => `/model/${encodeURIComponent(id)}/converse-stream`,
  (id: string) => `/model/${id}/invoke`,
  (id: string) => `/model/./${encodeURIComponent(id)}/../x//converse/`,
  () => '/',
];
const BODIES = ['{"prompt":"hi"}', '{"text":"naïve café — 雪 🚀"}', '', undefined, new TextEncoder().encode('{"b":1}')];

function generatedRequest(next: () => number): HttpRequest {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: pick(['application/json', 'application/vnd.amazon.eventstream']),
    ':authority': 'bedrock-runtime.us-east-1.amazonaws.com',
    'user-agent': 'aws-sdk-js/3.0 ua/2.1 os/linux',
    'amz-sdk-invocation-id': `id-${Math.floor(next() * 1e9)}`,
    'amz-sdk-request': 'attempt=1; max=1',
  };
  if (next() < 0.3) headers['X-Amzn-Bedrock-Trace'] = pick(['ENABLED', ' spaced  value ', 'a\r\nb\tc']);
  if (next() < 0.2) headers.Authorization = 'stale';
  if (next() < 0.2) headers['x-amz-date'] = '20000101T000000Z';
  if (next() < 0.2) headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  if (next() < 0.2) headers['Proxy-Authorization'] = 'skip me';
  if (next() < 0.2) headers[String('constructor')] = 'a header named like an Object member';
  const body = pick(BODIES);
  if (body !== undefined)
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  return new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: 'bedrock-runtime.us-east-1.amazonaws.com',
    path: pick(PATH_SHAPES)(pick(MODEL_IDS)),
    headers,
    body,
  });
}

describe('LeanSigV4Signer', () => {
  it('signs generated requests of our shape exactly as SignatureV4, without the fallback', async () => {
    const withToken = { ...BASE_CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEJr//////////token+/=' };
    for (const credentials of [BASE_CREDENTIALS, withToken]) {
      const { reference, fallback, lean } = signers(credentials);
      const next = random(credentials === withToken ? 2 : 1);
      for (let i = 0; i < 300; i++) {
        const request = generatedRequest(next);
        // Within a second, across seconds and across midnight (a new signing key).
        const signingDate = new Date(Date.UTC(2026, 11, 1, 23, 59, 58) + Math.floor(next() * 4000));
        const options: RequestSigningArguments = { signingDate };
        if (next() < 0.3) options.signingRegion = 'us-west-2';
        if (next() < 0.2) options.signingService = 'bedrock-runtime';
        const expected = await reference.sign(HttpRequest.clone(request), options);
        const actual = await lean.sign(request, options);
        expect(actual.headers, `request ${i}: ${request.path}`).toStrictEqual(expected.headers);
        expect(actual.path).toBe(expected.path);
        expect(actual.body).toBe(expected.body);
        expect(HttpRequest.isInstance(actual)).toBe(true);
      }
      expect(fallback.calls).toBe(0);
    }
  });

  it('leaves the request it was given unchanged, as SignatureV4 does', async () => {
    const { lean } = signers(BASE_CREDENTIALS);
    const request = generatedRequest(random(7));
    const before = structuredClone(request.headers);
    const signed = await lean.sign(request, { signingDate: new Date(Date.UTC(2026, 0, 1)) });
    expect(request.headers).toStrictEqual(before);
    expect(signed).not.toBe(request);
    expect(signed.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260101\//);
  });

  it('hands every other request shape to the SDK signer', async () => {
    const { reference, fallback, lean } = signers(BASE_CREDENTIALS);
    const signingDate = new Date(Date.UTC(2026, 5, 15, 12, 0, 0));
    const request = (extra: Partial<HttpRequest>) =>
      new HttpRequest({
        method: 'POST',
        hostname: 'bedrock-runtime.us-east-1.amazonaws.com',
        path: '/model/x/invoke',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        ...extra,
      });
    const cases: [HttpRequest, RequestSigningArguments][] = [
      [request({ query: { b: '2', a: ['x', 'y'] } }), { signingDate }],
      [request({ body: new DataView(new ArrayBuffer(4)) }), { signingDate }],
      [request({}), { signingDate, unsignableHeaders: new Set(['content-type']) }],
      [request({}), { signingDate, signableHeaders: new Set(['user-agent']) }],
      [request({}), { signingDate: (Date.UTC(2026, 5, 15) / 1000) as unknown as Date }],
    ];
    for (const [i, [input, options]] of cases.entries()) {
      const expected = await reference.sign(HttpRequest.clone(input), options);
      const actual = await lean.sign(input, options);
      expect(actual.headers, `case ${i}`).toStrictEqual(expected.headers);
      expect(fallback.calls).toBe(i + 1);
    }
  });

  it('reads rotating credentials from the provider on every request', async () => {
    let secret = 'first-secret';
    const provider = async () => ({ accessKeyId: 'AKID', secretAccessKey: secret });
    const fallback = new SignatureV4({
      credentials: provider,
      region: 'us-east-1',
      service: 'bedrock',
      sha256: Sha256,
    });
    const lean = new LeanSigV4Signer({
      credentials: provider,
      region: 'us-east-1',
      service: 'bedrock',
      uriEscapePath: true,
      fallback,
    });
    const signingDate = new Date(Date.UTC(2026, 5, 15, 12, 0, 0));
    const input = () =>
      new HttpRequest({ method: 'POST', hostname: 'h', path: '/model/x/invoke', headers: {}, body: '{}' });
    const first = await lean.sign(input(), { signingDate });
    secret = 'second-secret';
    const second = await lean.sign(input(), { signingDate });
    const expected = await fallback.sign(input(), { signingDate });
    expect(second.headers.authorization).not.toBe(first.headers.authorization);
    expect(second.headers.authorization).toBe(expected.headers.authorization);
  });

  it('rejects credentials without keys, as SignatureV4 does', async () => {
    const broken = { accessKeyId: undefined, secretAccessKey: 'x' } as unknown as AwsCredentialIdentity;
    const { lean } = signers(broken);
    await expect(lean.sign(generatedRequest(random(3)))).rejects.toThrow('Resolved credential object is not valid');
  });
});
