import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  BedrockRuntimeServiceException,
  InternalServerException,
  InvokeModelCommand,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { classifyError, classifyStreamException } from '../../src/client/classify-error.js';
import type { ErrorContext } from '../../src/client/classify-error.js';
import { ChunkPayloadError } from '../../src/client/event-stream/chunk-payload.js';
import { decodeEventStream, EventStreamFramingError } from '../../src/client/event-stream/decoder.js';
import type { EventStreamMessage } from '../../src/client/event-stream/decoder.js';
import {
  AbortError,
  AccessDeniedError,
  BedrockInferenceError,
  ConnectionError,
  ModelNotFoundError,
  ServiceError,
  ThrottlingError,
  ValidationError,
} from '../../src/errors.js';
import { encodeFrame, exceptionFrame, reads } from './event-stream/frames.js';

const request: ErrorContext = {
  modelId: 'anthropic.claude-x',
  partialText: '',
  requestId: 'ctx-req',
  phase: 'request',
};
const stream: ErrorContext = { ...request, partialText: 'Hello wor', phase: 'stream' };
const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'sdk-req', attempts: 1, totalRetryDelay: 0 });

describe('classifyError: SDK exceptions', () => {
  it.each([
    [new ThrottlingException({ message: 'Too many requests', $metadata: meta(429) }), ThrottlingError, true, 429],
    [new ServiceQuotaExceededException({ message: 'quota', $metadata: meta(400) }), ThrottlingError, false, 400],
    [new ModelNotReadyException({ message: 'warming', $metadata: meta(429) }), ServiceError, true, 429],
    [new ValidationException({ message: 'bad body', $metadata: meta(400) }), ValidationError, false, 400],
    [new AccessDeniedException({ message: 'no access', $metadata: meta(403) }), AccessDeniedError, false, 403],
    [new ResourceNotFoundException({ message: 'no model', $metadata: meta(404) }), ModelNotFoundError, false, 404],
    [new ModelTimeoutException({ message: 'slow', $metadata: meta(408) }), ServiceError, true, 408],
    [new ModelErrorException({ message: 'crash', $metadata: meta(424) }), ServiceError, true, 424],
    [new ModelStreamErrorException({ message: 'broke', $metadata: meta(424) }), ServiceError, true, 424],
    [new InternalServerException({ message: 'oops', $metadata: meta(500) }), ServiceError, true, 500],
    [new ServiceUnavailableException({ message: 'down', $metadata: meta(503) }), ServiceError, true, 503],
  ])('%s', (error, type, retryable, statusCode) => {
    const classified = classifyError(error, request);
    expect(classified).toBeInstanceOf(type);
    expect(classified).toMatchObject({ retryable, statusCode, requestId: 'sdk-req', code: error.name, cause: error });
    expect(classified.message).toContain(error.message);
    expect(classified.message).toContain('anthropic.claude-x');
  });

  it('says what to do', () => {
    const error = new ServiceQuotaExceededException({ message: 'quota', $metadata: meta(400) });
    expect(classifyError(error, request).message).toMatch(/quota increase.*retrying will not help/);
    const denied = new AccessDeniedException({ message: 'x', $metadata: meta(403) });
    expect(classifyError(denied, request).message).toMatch(/Enable model access/);
  });

  it('gives sharper advice for known variants and auth-layer errors', () => {
    const onDemand = new ValidationException({
      message:
        "Invocation of model ID anthropic.claude-sonnet-4-5 with on-demand throughput isn't supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
      $metadata: meta(400),
    });
    expect(classifyError(onDemand, request).message).toMatch(/Use an inference profile id/);
    const throttled = new ModelStreamErrorException({ message: 'x', originalStatusCode: 429, $metadata: meta(424) });
    expect(classifyError(throttled, request)).toBeInstanceOf(ThrottlingError);
    const badKey = Object.assign(new Error('The security token included in the request is invalid.'), {
      name: 'UnrecognizedClientException',
      $metadata: meta(403),
    });
    expect(classifyError(badKey, request)).toMatchObject({ name: 'AccessDeniedError', retryable: false });
  });

  it('reads Retry-After (seconds and HTTP date) from the hidden $response', () => {
    const error = new ThrottlingException({ message: 'slow down', $metadata: meta(429) });
    Object.defineProperty(error, '$response', { value: { headers: { 'retry-after': '2' } } });
    expect(classifyError(error, request).retryAfterMs).toBe(2000);
    const dated = new ThrottlingException({ message: 'slow down', $metadata: meta(429) });
    const when = new Date(Date.now() + 60_000).toUTCString();
    Object.defineProperty(dated, '$response', { value: { headers: { 'retry-after': when } } });
    expect(classifyError(dated, request).retryAfterMs).toBeGreaterThan(50_000);
  });

  it('classifies exceptions the SDK could not name by HTTP status', () => {
    const unknown = (status: number) =>
      new BedrockRuntimeServiceException({ name: 'Unknown', $fault: 'server', message: 'x', $metadata: meta(status) });
    expect(classifyError(unknown(503), request)).toBeInstanceOf(ServiceError);
    expect(classifyError(unknown(503), request).retryable).toBe(true);
    expect(classifyError(unknown(429), request)).toBeInstanceOf(ThrottlingError);
    expect(classifyError(unknown(418), request)).toBeInstanceOf(ValidationError);
  });

  it('keeps partial text in the stream phase and does not change retryability', () => {
    const error = new ThrottlingException({ message: 'Too many tokens', $metadata: meta(429) });
    const classified = classifyError(error, stream);
    expect(classified).toMatchObject({ partialText: 'Hello wor', retryable: true });
    expect(classified.message).toContain('after 9 characters');
  });

  it('passes our own errors through, filling in partial text', () => {
    const own = new ValidationError('mine');
    expect(classifyError(own, stream)).toBe(own);
    expect(own.partialText).toBe('Hello wor');
  });
});

describe('classifyError: network, framing, abort (real errors)', () => {
  const client = (endpoint: string, http1 = false): BedrockRuntimeClient =>
    new BedrockRuntimeClient({
      endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      ...(http1 ? { requestHandler: new NodeHttpHandler() } : {}),
    });
  const invoke = new InvokeModelCommand({ modelId: 'anthropic.claude-x', body: '{}' });

  async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it('ECONNREFUSED from the real SDK (HTTP/1.1 and HTTP/2) → retryable ConnectionError', async () => {
    const port = await closedPort();
    for (const http1 of [true, false]) {
      const error = await client(`http://127.0.0.1:${port}`, http1)
        .send(invoke)
        .catch((e: unknown) => e);
      const classified = classifyError(error, request);
      expect(classified).toBeInstanceOf(ConnectionError);
      expect(classified).toMatchObject({ retryable: true, code: 'ECONNREFUSED' });
    }
  });

  it('ECONNRESET from a server that drops the socket → retryable ConnectionError', async () => {
    const server = net.createServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await client(`http://127.0.0.1:${port}`, true)
      .send(invoke)
      .catch((e: unknown) => e);
    server.close();
    expect(classifyError(error, request)).toMatchObject({ name: 'ConnectionError', retryable: true });
  });

  it('the SDK speaking HTTP/2 to an HTTP/1.1 server (NGHTTP2 protocol error) → ConnectionError', async () => {
    const server = http.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const error = await client(`http://127.0.0.1:${port}`)
      .send(invoke)
      .catch((e: unknown) => e);
    server.closeAllConnections();
    server.close();
    expect(classifyError(error, request)).toMatchObject({ name: 'ConnectionError', retryable: true });
  });

  it('an aborted SDK call and a DOMException abort → AbortError, never retryable', async () => {
    const controller = new AbortController();
    controller.abort();
    const port = await closedPort();
    const error = await client(`http://127.0.0.1:${port}`)
      .send(invoke, { abortSignal: controller.signal })
      .catch((e: unknown) => e);
    expect(classifyError(error, request)).toBeInstanceOf(AbortError);
    expect(classifyError(controller.signal.reason, stream)).toMatchObject({
      name: 'AbortError',
      retryable: false,
      partialText: 'Hello wor',
    });
  });

  it('framing errors from the decoder', async () => {
    const frame = exceptionFrame('throttlingException', { message: 'x' });
    const failure = async (bytes: Uint8Array): Promise<unknown> => {
      try {
        for await (const _ of decodeEventStream(reads(bytes, 10))) void _;
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const truncated = await failure(frame.subarray(0, frame.length - 3));
    expect(truncated).toBeInstanceOf(EventStreamFramingError);
    expect(classifyError(truncated, stream)).toMatchObject({ name: 'ConnectionError', retryable: true });
    const corrupt = Buffer.from(frame);
    corrupt[20] = corrupt[20]! ^ 1;
    expect(classifyError(await failure(corrupt), stream)).toMatchObject({
      name: 'ServiceError',
      retryable: true,
      code: 'EventStreamChecksum',
    });
  });

  it('malformed chunks and unknown errors', () => {
    expect(classifyError(new ChunkPayloadError('Bedrock sent junk'), stream)).toMatchObject({
      name: 'ServiceError',
      retryable: false,
    });
    const odd = classifyError(new TypeError('boom'), request);
    expect(odd).toBeInstanceOf(BedrockInferenceError);
    expect(odd).toMatchObject({ retryable: false, code: 'TypeError' });
  });
});

describe('classifyStreamException', () => {
  async function message(bytes: Uint8Array): Promise<EventStreamMessage> {
    for await (const m of decodeEventStream(reads(bytes, bytes.length))) return m;
    throw new Error('no message');
  }

  it.each([
    ['throttlingException', ThrottlingError, true],
    ['internalServerException', ServiceError, true],
    ['modelStreamErrorException', ServiceError, true],
    ['validationException', ValidationError, false],
    ['modelTimeoutException', ServiceError, true],
    ['serviceUnavailableException', ServiceError, true],
  ])('%s', async (member, type, retryable) => {
    const m = await message(exceptionFrame(member, { message: `msg of ${member}` }));
    const error = classifyStreamException(m, stream);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ retryable, partialText: 'Hello wor', requestId: 'ctx-req', statusCode: undefined });
    expect(error.code).toBe(member[0]!.toUpperCase() + member.slice(1));
    expect(error.message).toContain(`msg of ${member}`);
    expect((error.cause as Error).name).toBe(error.code);
  });

  it('a model stream error with original status 429 is a throttle', async () => {
    const m = await message(exceptionFrame('modelStreamErrorException', { message: 'x', originalStatusCode: 429 }));
    expect(classifyStreamException(m, stream)).toBeInstanceOf(ThrottlingError);
  });

  it('unmodelled error frames and unknown exception members', async () => {
    const frame = encodeFrame(
      { ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'x' },
      '',
    );
    const error = classifyStreamException(await message(frame), stream);
    expect(error).toMatchObject({ name: 'ServiceError', retryable: true, code: 'InternalFailure' });
    expect(error.message).toContain('"x"');
    const unknown = await message(exceptionFrame('shinyNewException', { message: 'new' }));
    expect(classifyStreamException(unknown, stream)).toMatchObject({ name: 'ServiceError', code: 'ShinyNewException' });
  });

  it('a frame without a known message type', async () => {
    const frame = encodeFrame({ ':event-type': 'chunk' }, '{}');
    expect(classifyStreamException(await message(frame), stream)).toMatchObject({
      name: 'ServiceError',
      code: 'UnexpectedMessageType',
    });
  });
});
