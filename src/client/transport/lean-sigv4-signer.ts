/**
 * SigV4 for the one request shape our own SDK client sends (bedrock-wire.md §1: a POST with a JSON body,
 * no query), byte for byte what the SDK's SignatureV4 produces, at a fraction of its cost. SignatureV4
 * spends most of a request's signing time around the cryptography: an HMAC of the access key per request
 * to find its cached signing key, a fresh Date string and several regular expressions per header, string
 * to byte conversions before every hash. Here node's one-shot crypto.hash digests the strings directly
 * (no Hash object per digest), the derived key is looked up by its inputs, and the date and canonical
 * path are kept while they repeat. Anything else
 * (a query, a streamed body, signable/unsignable header options, a non-Date signing time) goes to the
 * SDK's SignatureV4, unchanged. test/client/transport/lean-sigv4-signer.test.ts checks the two agree.
 */
import { createHmac, hash } from 'node:crypto';
import {
  ALGORITHM_IDENTIFIER,
  ALWAYS_UNSIGNABLE_HEADERS,
  AMZ_DATE_HEADER,
  AUTH_HEADER,
  GENERATED_HEADERS,
  KEY_TYPE_IDENTIFIER,
  PROXY_HEADER_PATTERN,
  SEC_HEADER_PATTERN,
  SHA256_HEADER,
  TOKEN_HEADER,
} from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  HttpRequest,
  Provider,
  RequestSigner,
  RequestSigningArguments,
} from '@smithy/types';

/** SHA-256 of an empty body, as SignatureV4 has it. */
const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Derived keys kept (a key per day, region and service; more only with rotating credentials). */
const MAX_SIGNING_KEYS = 50;

export interface LeanSigV4SignerOptions {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  region: string | Provider<string>;
  service: string;
  /** Double-escape the path, as every AWS service but S3 expects (SignatureV4's `uriEscapePath`). */
  uriEscapePath: boolean;
  /** The SDK's SignatureV4 for every request shape this one does not handle (built as the SDK would). */
  fallback: RequestSigner;
}

export class LeanSigV4Signer implements RequestSigner {
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #region: Provider<string>;
  readonly #service: string;
  readonly #uriEscapePath: boolean;
  readonly #fallback: RequestSigner;
  readonly #signingKeys = new Map<string, Buffer>();
  #dateSecond = Number.NaN;
  #longDate = '';
  #path: string | undefined;
  #canonicalPath = '';

  constructor(options: LeanSigV4SignerOptions) {
    const { credentials, region } = options;
    this.#credentials = typeof credentials === 'function' ? credentials : async () => credentials;
    this.#region = typeof region === 'function' ? region : async () => region;
    this.#service = options.service;
    this.#uriEscapePath = options.uriEscapePath;
    this.#fallback = options.fallback;
  }

  async sign(request: HttpRequest, options: RequestSigningArguments = {}): Promise<HttpRequest> {
    const signingDate = options.signingDate ?? new Date();
    if (!isLeanShape(request, options) || !(signingDate instanceof Date)) {
      return this.#fallback.sign(request, options);
    }
    const credentials = await this.#credentials();
    if (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string') {
      throw new Error('Resolved credential object is not valid');
    }
    const region = options.signingRegion ?? (await this.#region());
    const service = options.signingService ?? this.#service;
    const longDate = this.#formatDate(signingDate);
    const shortDate = longDate.slice(0, 8);
    const scope = `${shortDate}/${region}/${service}/${KEY_TYPE_IDENTIFIER}`;

    const signed = cloneRequest(request);
    const headers = signed.headers;
    headers[AMZ_DATE_HEADER] = longDate;
    if (credentials.sessionToken) headers[TOKEN_HEADER] = credentials.sessionToken;
    let payloadHash = headerValue(headers, SHA256_HEADER);
    if (payloadHash === undefined) {
      const body = signed.body as string | Uint8Array | undefined | null;
      payloadHash = body == undefined ? EMPTY_BODY_SHA256 : hash('sha256', body, 'hex');
      headers[SHA256_HEADER] = payloadHash;
    }

    // As SignatureV4: header names visited in sorted order, lower-cased, then sorted again as canonical names.
    const canonical: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const name of Object.keys(headers).sort()) {
      const value = headers[name];
      if (value == undefined) continue;
      const lower = name.toLowerCase();
      if (
        Object.hasOwn(ALWAYS_UNSIGNABLE_HEADERS, lower) ||
        PROXY_HEADER_PATTERN.test(lower) ||
        SEC_HEADER_PATTERN.test(lower)
      ) {
        continue;
      }
      canonical[lower] = canonicalHeaderValue(value);
    }
    const names = Object.keys(canonical).sort();
    let canonicalHeaders = '';
    for (const name of names) canonicalHeaders += `${name}:${canonical[name]}\n`;
    const signedHeaders = names.join(';');
    const canonicalRequest = `${signed.method}\n${this.#canonicalPathOf(signed.path)}\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
    const stringToSign = `${ALGORITHM_IDENTIFIER}\n${longDate}\n${scope}\n` + hash('sha256', canonicalRequest, 'hex');
    // SignatureV4 derives the key with the signer's own service when the signing service is empty.
    const keyService = service || this.#service;
    const signature = createHmac('sha256', this.#signingKey(credentials.secretAccessKey, shortDate, region, keyService))
      .update(stringToSign)
      .digest('hex');
    headers[AUTH_HEADER] =
      `${ALGORITHM_IDENTIFIER} Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return signed;
  }

  /** `YYYYMMDDTHHMMSSZ`, rebuilt once a second. */
  #formatDate(date: Date): string {
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.#dateSecond) {
      this.#dateSecond = second;
      this.#longDate = date
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z')
        .replace(/[-:]/g, '');
    }
    return this.#longDate;
  }

  /** The derived key for a secret, day, region and service (four HMACs, done once per day). */
  #signingKey(secret: string, shortDate: string, region: string, service: string): Buffer {
    const cacheKey = `${shortDate}\u0000${region}\u0000${service}\u0000${secret}`;
    let key = this.#signingKeys.get(cacheKey);
    if (key === undefined) {
      key = createHmac('sha256', `AWS4${secret}`).update(shortDate).digest();
      for (const part of [region, service, KEY_TYPE_IDENTIFIER]) key = createHmac('sha256', key).update(part).digest();
      if (this.#signingKeys.size >= MAX_SIGNING_KEYS) this.#signingKeys.clear();
      this.#signingKeys.set(cacheKey, key);
    }
    return key;
  }

  /** The path as SignatureV4 canonicalises it; a client sends the same few paths over and over. */
  #canonicalPathOf(path: string): string {
    if (path !== this.#path) {
      this.#path = path;
      this.#canonicalPath = this.#uriEscapePath ? escapedPath(path) : path;
    }
    return this.#canonicalPath;
  }
}

/** No query, a body already in memory, no header overrides: the shape our client's requests have. */
function isLeanShape(request: HttpRequest, options: RequestSigningArguments): boolean {
  if (options.signableHeaders !== undefined || options.unsignableHeaders !== undefined) return false;
  const query = request.query;
  if (query !== undefined && query !== null) {
    for (const name in query) if (Object.hasOwn(query, name)) return false;
  }
  const body: unknown = request.body;
  return body == undefined || typeof body === 'string' || body instanceof Uint8Array;
}

/** A copy with its own headers, without the headers signing generates (SignatureV4's prepareRequest). */
function cloneRequest(request: HttpRequest): HttpRequest {
  const signed = Object.assign(Object.create(Object.getPrototypeOf(request) as object) as HttpRequest, request);
  const headers: HttpRequest['headers'] = {};
  for (const name in request.headers) {
    if (!Object.hasOwn(request.headers, name) || GENERATED_HEADERS.includes(name.toLowerCase())) continue;
    headers[name] = request.headers[name]!;
  }
  signed.headers = headers;
  signed.query = { ...request.query };
  return signed;
}

function headerValue(headers: HttpRequest['headers'], lowerName: string): string | undefined {
  for (const name in headers) {
    if (Object.hasOwn(headers, name) && name.toLowerCase() === lowerName) return headers[name];
  }
  return undefined;
}

/** Line breaks to spaces, runs of blanks to one space, one space trimmed off each end (as SignatureV4). */
function canonicalHeaderValue(value: string): string {
  if (!/[\r\n\t]| {2}|^ | $/.test(value)) return value;
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/** SignatureV4's uriEscapePath: dot segments and empty segments resolved, then every segment escaped again. */
function escapedPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0 || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized =
    `${path.startsWith('/') ? '/' : ''}${segments.join('/')}` + (segments.length > 0 && path.endsWith('/') ? '/' : '');
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** RFC 3986 escaping, as the SDK's escapeUri: encodeURIComponent plus !'()*. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
