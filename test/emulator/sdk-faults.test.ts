/**
 * Fault injection through the real AWS SDK: pre-stream errors arrive as the SDK's typed exceptions
 * with Bedrock's status and the SDK's real retry behaviour; mid-stream exceptions arrive after the
 * earlier chunks; transport faults break the stream the way a network does.
 */
import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLAUDE, claudeBody, collectInvokeStream, invokeText, sdkClient } from './support.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, speed: 'instant' });
});
afterEach(() => {
  emulator.faults.clear();
  emulator.requestLog.clear();
});
afterAll(() => emulator.close());

const preStream = [
  ['ValidationException', 400, 1],
  ['ServiceQuotaExceededException', 400, 1],
  ['AccessDeniedException', 403, 1],
  ['ResourceNotFoundException', 404, 1],
  ['ModelTimeoutException', 408, 1],
  ['ModelErrorException', 424, 1],
  ['ModelStreamErrorException', 424, 1],
  ['ThrottlingException', 429, 3],
  ['ModelNotReadyException', 429, 3],
  ['InternalServerException', 500, 3],
  ['ServiceUnavailableException', 503, 3],
] as const;

describe('pre-stream errors', () => {
  it.each(preStream)(
    '%s: HTTP %i, typed SDK exception, %i attempt(s) as against real Bedrock',
    async (errorType, status, attempts) => {
      emulator.faults.add({ fault: { kind: 'error', errorType }, times: 'always' });
      // Zero backoff keeps the SDK's real retry decision while the test stays fast.
      const client = sdkClient(emulator.url);
      client.middlewareStack.add((next) => (args) => next(args), { step: 'initialize' });
      const failure = await collectInvokeStream(client, CLAUDE, claudeBody('Hi', 10)).catch((error: unknown) => error);
      client.destroy();

      expect(failure).toBeInstanceOf(Error);
      const error = failure as Error & { $metadata: { httpStatusCode?: number; attempts?: number }; $fault: string };
      expect(error.name).toBe(errorType);
      expect(error.$metadata.httpStatusCode).toBe(status);
      expect(error.$metadata.attempts).toBe(attempts);
      expect(emulator.requestLog.entries()).toHaveLength(attempts);
      expect(emulator.requestLog.entries().every((entry) => entry.outcome === 'fault' && entry.status === status)).toBe(
        true,
      );
    },
  );

  it('throttles only the first attempt when scripted by amz-sdk-request, so the SDK retry succeeds', async () => {
    emulator.faults.add({
      fault: { kind: 'error', errorType: 'ThrottlingException' },
      times: 'always',
      match: { attempt: 1 },
    });
    const client = sdkClient(emulator.url);
    const result = await invokeText(client, CLAUDE, claudeBody('Hi', 10));
    client.destroy();
    expect(result.response.$metadata.attempts).toBe(2);
    expect(emulator.requestLog.entries().map((entry) => [entry.attempt, entry.outcome])).toEqual([
      [1, 'fault'],
      [2, 'completed'],
    ]);
  });

  it('sends Retry-After when scripted', async () => {
    emulator.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 7 } });
    const response = await fetch(`${emulator.url}/model/${CLAUDE}/invoke`, {
      method: 'POST',
      body: claudeBody('Hi', 5),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('x-amzn-errortype')).toBe(
      'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    );
    expect(await response.json()).toEqual({ message: 'Too many requests, please wait before trying again.' });
  });
});

const midStream = [
  'internalServerException',
  'modelStreamErrorException',
  'validationException',
  'throttlingException',
  'modelTimeoutException',
  'serviceUnavailableException',
] as const;

const exceptionClass = (member: string) => member[0]!.toUpperCase() + member.slice(1);

describe('mid-stream faults', () => {
  it.each(midStream)('%s arrives as the SDK typed exception after the earlier chunks', async (exceptionType) => {
    emulator.faults.add({
      fault: { kind: 'stream-exception', exceptionType, afterChunks: 3, originalStatusCode: 503 },
    });
    const client = sdkClient(emulator.url);
    const result = await collectInvokeStream(client, CLAUDE, claudeBody('Tell me a long story.', 200));
    client.destroy();
    expect(result.chunks).toHaveLength(3);
    expect(result.error?.name).toBe(exceptionClass(exceptionType));
    if (exceptionType === 'modelStreamErrorException') {
      expect((result.error as unknown as { originalStatusCode: number }).originalStatusCode).toBe(503);
    }
    // Mid-stream exceptions are final: the SDK does not retry them.
    expect(emulator.requestLog.entries()).toHaveLength(1);
  });

  it('an unmodelled error frame surfaces as a plain Error named after :error-code', async () => {
    emulator.faults.add({
      fault: { kind: 'error-frame', afterChunks: 2, errorCode: 'InternalFailure', errorMessage: 'Something broke' },
    });
    const client = sdkClient(emulator.url);
    const result = await collectInvokeStream(client, CLAUDE, claudeBody('Tell me a long story.', 200));
    client.destroy();
    expect(result.chunks).toHaveLength(2);
    expect(result.error?.name).toBe('InternalFailure');
    expect(result.error?.message).toBe('Something broke');
  });

  it('a frame truncated mid-way is reported by the SDK as truncated', async () => {
    emulator.faults.add({ fault: { kind: 'truncate', afterChunks: 4 } });
    const client = sdkClient(emulator.url, { http1: true });
    const result = await collectInvokeStream(client, CLAUDE, claudeBody('Tell me a long story.', 200));
    client.destroy();
    expect(result.chunks).toHaveLength(4);
    expect(result.error?.message).toMatch(/Truncated event message received/);
  });

  it('a corrupted CRC is rejected by the SDK checksum check', async () => {
    emulator.faults.add({ fault: { kind: 'corrupt-crc', afterChunks: 1 } });
    const client = sdkClient(emulator.url);
    const result = await collectInvokeStream(client, CLAUDE, claudeBody('Tell me a long story.', 200));
    client.destroy();
    expect(result.chunks).toHaveLength(1);
    expect(result.error?.message).toMatch(/checksum/);
  });

  it.each([
    ['HTTP/2', false],
    ['HTTP/1.1', true],
  ])('a connection reset after K chunks breaks the %s stream', async (_name, http1) => {
    emulator.faults.add({ fault: { kind: 'reset', afterChunks: 2 } });
    const client = sdkClient(emulator.url, { http1 });
    const result = await collectInvokeStream(client, CLAUDE, claudeBody('Tell me a long story.', 200));
    client.destroy();
    expect(result.chunks).toHaveLength(2);
    expect(result.error).toBeInstanceOf(Error);
    expect((await emulator.requestLog.waitFor(() => true)).fault).toBe('reset');
  });

  it('end-early closes cleanly without the stop chunk', async () => {
    emulator.faults.add({ fault: { kind: 'end-early', afterChunks: 3 } });
    const client = sdkClient(emulator.url);
    const result = await collectInvokeStream(client, CLAUDE, claudeBody('Tell me a long story.', 200));
    client.destroy();
    expect(result.error).toBeUndefined();
    expect(result.chunks).toHaveLength(3);
    expect(result.chunks.some((chunk) => chunk['type'] === 'message_stop')).toBe(false);
  });

  it('a stall delays the next chunk without losing any', async () => {
    emulator.faults.add({ fault: { kind: 'stall', afterChunks: 2, ms: 150 } });
    const client = sdkClient(emulator.url);
    const body = claudeBody('Tell me about the wind.', 40);
    const stalled = await collectInvokeStream(client, CLAUDE, body);
    const clean = await collectInvokeStream(client, CLAUDE, body);
    client.destroy();
    expect(stalled.text).toBe(clean.text);
    const [first] = emulator.requestLog.entries();
    expect(first!.endedAt! - first!.startedAt).toBeGreaterThanOrEqual(150);
  });
});

describe('client abort', () => {
  it('the request log shows the upstream stream closed after chunk K and generation stopped', async () => {
    emulator.setSpeed(20); // paced, so the abort lands mid-stream
    try {
      const client = sdkClient(emulator.url);
      const controller = new AbortController();
      const response = await client.send(
        new (await import('@aws-sdk/client-bedrock-runtime')).InvokeModelWithResponseStreamCommand({
          modelId: CLAUDE,
          body: claudeBody('Tell me a very long story.', 1_000),
        }),
        { abortSignal: controller.signal },
      );
      let received = 0;
      try {
        for await (const event of response.body ?? []) {
          if (event.chunk) received++;
          if (received === 3) controller.abort();
        }
      } catch {
        // Depending on the transport the SDK throws an AbortError or just ends the iterator.
      }
      expect(received).toBeGreaterThanOrEqual(3);
      const entry = await emulator.requestLog.waitFor((e) => e.outcome === 'client-aborted');
      expect(entry.chunksSent).toBeGreaterThanOrEqual(3);
      expect(entry.chunksSent).toBeLessThan(40);
      client.destroy();
    } finally {
      emulator.setSpeed('instant');
    }
  });
});

describe('quota simulation', () => {
  it('answers 429 "Too many tokens" once the TPM bucket cannot cover input + max_tokens x burndown', async () => {
    const limited = await startEmulator({ port: 0, speed: 'instant', quota: { tokensPerMinute: 1_000, burndown: 1 } });
    try {
      const client = sdkClient(limited.url, { maxAttempts: 1 });
      await invokeText(client, CLAUDE, claudeBody('Hi', 600));
      // The first call settled to its real usage, far below 600: a second reservation of 600 fits again.
      await invokeText(client, CLAUDE, claudeBody('Hi', 600));
      const failure = await client
        .send(new InvokeModelCommand({ modelId: CLAUDE, body: claudeBody('Hi', 990) }))
        .catch((error: Error) => error);
      expect((failure as Error).name).toBe('ThrottlingException');
      expect((failure as Error).message).toBe('Too many tokens, please wait before trying again.');
      client.destroy();
    } finally {
      await limited.close();
    }
  });

  it('answers "Too many requests" past the RPM limit', async () => {
    const limited = await startEmulator({ port: 0, speed: 'instant', quota: { requestsPerMinute: 2 } });
    try {
      const client = sdkClient(limited.url, { maxAttempts: 1 });
      await invokeText(client, CLAUDE, claudeBody('Hi', 5));
      await invokeText(client, CLAUDE, claudeBody('Hi', 5));
      const failure = await invokeText(client, CLAUDE, claudeBody('Hi', 5)).catch((error: Error) => error);
      expect((failure as Error).message).toBe('Too many requests, please wait before trying again.');
      client.destroy();
    } finally {
      await limited.close();
    }
  });
});
