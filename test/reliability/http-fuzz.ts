/**
 * Hostile HTTP requests for the server (issue 14, suite part 3): odd methods, path tricks, repeated
 * and injected query parameters, content types and charsets, bodies of wrong types, deep nesting,
 * huge strings, NUL bytes and invalid UTF-8. Shared by the CI test and `npm run soak`.
 */
import fc from 'fast-check';
import { rawRequest, type RawResponse } from '../server/http/raw-request.js';

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';

const path = fc.oneof(
  { arbitrary: fc.constantFrom('/api/chat', '/api/stream-completion', '/v1/chat/completions'), weight: 6 },
  fc.constantFrom(
    '/api/chat',
    '/api/stream-completion',
    '/v1/chat/completions',
    '/api/generations/x/events',
    '/api/generations/x/cancel',
    '/api/generations/x/share',
    '/api/generations/%00/events',
    '/api/generations/..%2f..%2fetc%2fpasswd/events',
    '/api/generations/x/events?lastEventId=1&lastEventId=2',
    '/api/generations/x/events?share=a&share=b',
    '/api/generations/x/events?lastEventId=%0d%0aSet-Cookie:%20a=b',
    '/v1/models/%2e%2e%2f%2e%2e',
    '//api//chat',
    '/api/chat/',
    '/API/CHAT',
    '/api/models?x=%ff%fe',
    '/metrics',
    '/healthz',
  ),
  fc.string({ maxLength: 40 }).map((tail) => `/api/generations/${encodeURIComponent(tail)}/events`),
  fc.string({ minLength: 1, maxLength: 3000 }).map((tail) => `/${encodeURIComponent(tail)}`),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  '',
  'application/json; charset=',
  'APPLICATION/JSON',
);

/** A JSON value nested `depth` levels deep in arrays or objects. */
const deep = fc.integer({ min: 50, max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 20 }).map((s) => `${s}\u0000`),
  fc.constantFrom(-1, 0, 1.5, 2, 1e308, -0, Number.MAX_SAFE_INTEGER, '1', 'NaN', true, null, [], {}),
);

const jsonBody = fc.oneof(
  fc
    .record(
      {
        prompt: fieldValue,
        messages: fc.oneof(
          fieldValue,
          fc.array(fc.record({ role: fieldValue, content: fieldValue }), { maxLength: 4 }),
        ),
        model: fc.oneof(
          fieldValue,
          fc.constantFrom(CLAUDE, `${CLAUDE}\u0000`, 'x'.repeat(3000), 'arn:aws:bedrock:::/'),
        ),
        maxTokens: fieldValue,
        temperature: fieldValue,
        topP: fieldValue,
        topK: fieldValue,
        stopSequences: fieldValue,
        api: fieldValue,
        reasoning: fieldValue,
        resume: fieldValue,
        detached: fieldValue,
        stream: fieldValue,
        n: fieldValue,
        __proto__: fieldValue,
        constructor: fieldValue,
      },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  deep.map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 500 }).map((bytes) => Buffer.from(bytes)),
  fc
    .string({ maxLength: 100 })
    .map((s) => Buffer.concat([Buffer.from(`{"prompt":"${s}`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')])),
  fc.integer({ min: 1, max: 3 }).map((mib) => Buffer.alloc(mib * 1024 * 1024 + 1, 0x61)),
);

export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.record({
  method: fc.oneof(
    { arbitrary: fc.constant('POST'), weight: 6 },
    fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  ),
  path,
  headers: fc
    .record(
      {
        'content-type': contentType,
        origin: fc.constantFrom('https://evil.example', 'null'),
        'last-event-id': fc.oneof(fc.string({ maxLength: 30 }), fc.constant('9'.repeat(500))),
        authorization: fc.constantFrom('Bearer', 'Bearer x', 'Basic Zm9vOmJhcg==', 'Bearer ' + 'k'.repeat(5000)),
        'access-control-request-method': fc.constant('POST'),
        'x-request-id': fc.string({ maxLength: 120 }),
      },
      { requiredKeys: [] },
    )
    .map(({ origin, ...rest }) =>
      origin !== undefined && rest['x-request-id'] === undefined ? { ...rest, origin } : rest,
    ),
  body: fc.option(jsonBody, { nil: undefined, freq: 8 }),
});

/** Sends one request; an error the client itself raises (a header Node will not send) is not a server answer. */
export async function sendHostile(baseUrl: string, request: HostileRequest): Promise<RawResponse | undefined> {
  const headers = Object.fromEntries(
    // Node refuses to send control or non-ASCII characters in a header: those requests never reach a server.
    Object.entries(request.headers).filter(([, value]) => [...value].every((c) => c >= ' ' && c <= '~')),
  );
  try {
    return await rawRequest(baseUrl, {
      method: request.method,
      path: request.path,
      headers,
      ...(request.body === undefined || request.method === 'GET' || request.method === 'HEAD'
        ? {}
        : { body: request.body }),
    });
  } catch (error) {
    // The server closing a connection after a 413/408 may reset a request still being written.
    if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || (error as NodeJS.ErrnoException).code === 'EPIPE')
      return undefined;
    throw error;
  }
}
