/**
 * Optional SigV4 verification (`startEmulator({ credentials })`): every model request must be signed, for
 * service `bedrock`, with the configured key, as Bedrock requires. The signature is computed again with
 * the SDK's own `SignatureV4` over node's crypto, from the headers the request says it signed, at its own
 * date, and compared; the body must hash to its `x-amz-content-sha256`. Failures answer as AWS does: 403
 * `MissingAuthenticationTokenException` for an unsigned request, `UnrecognizedClientException` for an
 * unknown key, `InvalidSignatureException` for a wrong signature, a malformed `Authorization`, or a date
 * more than 5 minutes off. Off by default: the emulator
 * stands in for Bedrock when no credentials exist at all.
 */
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, HttpRequest } from '@smithy/types';
import { BedrockServiceError } from './bedrock-error.js';
import type { EmulatorRequest } from './transport.js';

export type EmulatorCredentials = Pick<AwsCredentialIdentity, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>;

/** What the emulator checks a request's authentication against (startEmulator's options). */
export interface AuthenticationCheck {
  /** SigV4 requests must be signed with these. */
  credentials?: EmulatorCredentials | undefined;
  /** Bedrock API keys accepted as `Authorization: Bearer <key>`. */
  apiKeys?: readonly string[] | undefined;
  /** The emulator's clock runs this far ahead (negative: behind) of the machine's: a skewed server. */
  clockOffsetMs?: number | undefined;
  /** Session tokens that are valid but expired: answered with ExpiredTokenException. */
  expiredSessionTokens?: readonly string[] | undefined;
}

/**
 * Throws the 403 Bedrock would answer when `request` is not authenticated: a Bedrock API key (Bearer)
 * must be one of `apiKeys`, a SigV4 signature must verify against `credentials` at the emulator's
 * (possibly skewed) time and not use an expired session token.
 */
export async function verifyAuthentication(request: ReceivedRequest, check: AuthenticationCheck): Promise<void> {
  const authorization = request.headers.authorization ?? '';
  if (authorization.startsWith('Bearer ')) {
    if (check.apiKeys?.includes(authorization.slice('Bearer '.length)) === true) return;
    throw new BedrockServiceError(
      'UnrecognizedClientException',
      'Invalid API Key format: Must start with pre-defined prefix',
    );
  }
  if (check.credentials === undefined) {
    // Only API keys are configured: a signed request has nothing to be checked against.
    throw new BedrockServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const token = request.headers['x-amz-security-token'];
  if (token !== undefined && check.expiredSessionTokens?.includes(token) === true) {
    throw new BedrockServiceError('ExpiredTokenException', 'The security token included in the request is expired');
  }
  await verifySignature(request, check.credentials, Date.now() + (check.clockOffsetMs ?? 0));
}

/** What Bedrock signs requests for (bedrock-wire.md §1: the service name is `bedrock`, not the host's). */
const SERVICE = 'bedrock';
/** How far a request's `x-amz-date` may be from the emulator's clock, as AWS allows. */
const MAX_SKEW_MS = 5 * 60_000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access ' +
  'Key and signing method. Consult the service documentation for details.';

/** The request as it arrived: method, path exactly as sent, headers (lower-case names), body. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

/** Throws the 403 Bedrock would answer when `request` is not validly signed with `credentials`. */
export async function verifySignature(
  request: ReceivedRequest,
  credentials: EmulatorCredentials,
  now = Date.now(),
): Promise<void> {
  const authorization = request.headers.authorization;
  if (authorization === undefined) {
    throw new BedrockServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const parts = AUTHORIZATION.exec(authorization);
  if (parts === null) throw invalid(`Authorization header is not a SigV4 signature: ${authorization.slice(0, 80)}`);
  const [, accessKeyId, scopeDate, region, service, signedHeaders] = parts as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) {
    throw new BedrockServiceError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  if (service !== SERVICE) {
    throw invalid(
      `Credential should be scoped to correct service: '${SERVICE}' (the request was signed for '${service}').`,
    );
  }
  if (credentials.sessionToken !== undefined && request.headers['x-amz-security-token'] !== credentials.sessionToken) {
    throw new BedrockServiceError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  }
  const amzDate = request.headers['x-amz-date'] ?? '';
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === undefined || amzDate.slice(0, 8) !== scopeDate) {
    throw invalid(`X-Amz-Date "${amzDate}" is missing, malformed or outside the credential scope's day ${scopeDate}.`);
  }
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) {
    throw invalid(`Signature expired: ${amzDate} is more than 5 minutes from the server's time; check the clock.`);
  }
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(request.body).digest('hex')) {
    throw invalid('The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const expected = await expectedAuthorization(request, signedHeaders!.split(';'), credentials, region!, signingDate);
  if (!sameText(expected, authorization)) throw invalid(MISMATCH);
}

/** The Authorization header SignatureV4 makes for the request's signed headers at `signingDate`. */
export async function expectedAuthorization(
  request: ReceivedRequest,
  signedHeaderNames: readonly string[],
  credentials: EmulatorCredentials,
  region: string,
  signingDate: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of signedHeaderNames) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const [path = '/'] = request.path.split('?');
  const unsigned: HttpRequest = {
    method: request.method,
    protocol: 'http:',
    hostname: 'emulator',
    // As sent: the SDK signs the encoded path, which SigV4 escapes once more.
    path,
    headers,
    body: request.body,
  };
  const signer = new SignatureV4({ credentials, region, service: SERVICE, sha256: NodeSha256 });
  const signed = await signer.sign(unsigned, { signingDate });
  return signed.headers.authorization ?? '';
}

/** A request's headers as verifySignature reads them: lower-case names, repeated values joined. */
export function receivedHeaders(req: EmulatorRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

/** `YYYYMMDDTHHMMSSZ` (SigV4's `x-amz-date`) as a Date; undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const match = AMZ_DATE.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  return new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('InvalidSignatureException', message);
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SignatureV4's Checksum over node's crypto (independent of the SDK's hash package). */
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
