/**
 * The client's wire path (a transport → decodeEventStream → decodeChunkPayload → adapter → classifier)
 * against the lead's emulator, an independent reading of the formats: our own SDK client (h2c) and a caller's
 * client over HTTP/2 (h2c) and HTTP/1.1.
 */
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyError, classifyStreamException } from '../../../src/client/classify-error.js';
import { decodeChunkPayload, decodeJsonPayload } from '../../../src/client/event-stream/chunk-payload.js';
import { decodeEventStream } from '../../../src/client/event-stream/decoder.js';
import { GivenClientTransport } from '../../../src/client/transport/given-client-transport.js';
import { createOwnSdkClient, OwnClientTransport } from '../../../src/client/transport/own-client-transport.js';
import type { BedrockTransport } from '../../../src/client/transport/transport.js';
import { AttemptWatchdog, DEFAULT_TIMEOUTS } from '../../../src/client/timeouts.js';
import type { ChunkEvent } from '../../../src/client/stream-event.js';
import { ConnectionError, ServiceError, ThrottlingError } from '../../../src/errors.js';
import { startEmulator } from '../../../src/emulator/server.js';
import type { Emulator } from '../../../src/emulator/server.js';
import { buildConverseInput, createConverseDecoder } from '../../../src/models/converse.js';
import { resolveAdapter } from '../../../src/models/registry.js';
import type { NormalizedRequest } from '../../../src/models/types.js';

const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';
const request: NormalizedRequest = { messages: [{ role: 'user', content: 'Tell me a story.' }], maxTokens: 40 };
const context = { modelId: CLAUDE, partialText: '', phase: 'stream' as const };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, speed: 'instant' });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(() => emu.faults.clear());

interface Outcome {
  events: ChunkEvent[];
  error: unknown;
  exception: unknown;
  requestId: string | undefined;
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe.each([
  { name: 'our own SDK client (h2c)', transport: 'own' },
  { name: "a caller's client, HTTP/2 (h2c)", transport: 'h2' },
  { name: "a caller's client, HTTP/1.1", transport: 'h1' },
])('client wire path against the emulator: $name', ({ transport: kind }) => {
  let transport: BedrockTransport;
  beforeAll(() => {
    if (kind === 'own') {
      transport = new OwnClientTransport(createOwnSdkClient({ endpoint: emu.url, region: 'us-east-1', credentials }));
      return;
    }
    transport = new GivenClientTransport(
      new BedrockRuntimeClient({
        endpoint: emu.url,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials,
        ...(kind === 'h1' ? { requestHandler: new NodeHttpHandler() } : {}),
      }),
    );
  });
  afterAll(() => {
    transport.destroy();
    (transport as unknown as { sdk: BedrockRuntimeClient }).sdk.destroy();
  });

  async function invoke(modelId = CLAUDE, body: NormalizedRequest = request): Promise<Outcome> {
    const adapter = resolveAdapter(modelId);
    const command = new InvokeModelWithResponseStreamCommand({
      modelId,
      contentType: 'application/json',
      body: JSON.stringify(adapter.buildRequest(body)),
    });
    const outcome: Outcome = { events: [], error: undefined, exception: undefined, requestId: undefined };
    const decode = adapter.createChunkDecoder();
    try {
      const response = await transport.openStream(
        command,
        new AttemptWatchdog(new AbortController().signal, DEFAULT_TIMEOUTS),
      );
      outcome.requestId = response.requestId;
      for await (const message of decodeEventStream(response.body)) {
        if (message.messageType !== 'event') {
          outcome.exception = classifyStreamException(message, context);
          break;
        }
        decode(decodeChunkPayload(message.payload), (event) => outcome.events.push(event));
      }
    } catch (error) {
      outcome.error = error;
    }
    return outcome;
  }

  const text = (events: ChunkEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');

  it('streams a whole Claude answer with stop, usage and metrics', async () => {
    const outcome = await invoke();
    expect(outcome.error).toBeUndefined();
    expect(outcome.requestId).toMatch(/\S/);
    expect(text(outcome.events).length).toBeGreaterThan(0);
    expect(outcome.events.find((e) => e.type === 'stop')).toMatchObject({ rawReason: expect.any(String) as string });
    expect(outcome.events.find((e) => e.type === 'usage')).toMatchObject({ source: 'bedrock' });
  });

  it.each([
    [CLAUDE, { ...request, maxTokens: 2000, reasoning: { budgetTokens: 1024 } }],
    ['us.deepseek.r1-v1:0', request],
    ['openai.gpt-oss-20b-1:0', request],
  ])('separates reasoning from the answer (%s)', async (modelId, body) => {
    const outcome = await invoke(modelId, body);
    expect(outcome.error).toBeUndefined();
    const reasoning = outcome.events.map((e) => (e.type === 'reasoning' ? e.delta : '')).join('');
    expect(reasoning.length).toBeGreaterThan(0);
    expect(text(outcome.events).length).toBeGreaterThan(0);
    expect(text(outcome.events)).not.toMatch(/<\/?(think|reasoning)>/);
    expect(reasoning).not.toMatch(/<\/?(think|reasoning)>/);
  });

  it('reads a ConverseStream', async () => {
    const command = new ConverseStreamCommand(buildConverseInput(CLAUDE, request));
    const response = await transport.openStream(
      command,
      new AttemptWatchdog(new AbortController().signal, DEFAULT_TIMEOUTS),
    );
    const decode = createConverseDecoder();
    const events: ChunkEvent[] = [];
    for await (const message of decodeEventStream(response.body)) {
      decode(message.eventType ?? '', decodeJsonPayload(message.payload), (event) => events.push(event));
    }
    expect(text(events).length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'stop')).toBe(true);
    expect(events.some((e) => e.type === 'usage')).toBe(true);
  });

  it('a corrupted CRC surfaces as a checksum framing error after the good chunks', async () => {
    emu.faults.add({ fault: { kind: 'corrupt-crc', afterChunks: 2 } });
    const outcome = await invoke();
    expect(outcome.error).toMatchObject({ name: 'EventStreamFramingError', kind: 'checksum' });
    expect(classifyError(outcome.error, context)).toBeInstanceOf(ServiceError);
  });

  it('a body cut mid-frame or a reset classifies as a retryable ConnectionError', async () => {
    for (const kind of ['truncate', 'reset'] as const) {
      emu.faults.add({ fault: { kind, afterChunks: 2 } });
      const outcome = await invoke();
      const classified = classifyError(outcome.error, context);
      expect(classified).toBeInstanceOf(ConnectionError);
      expect(classified.retryable).toBe(true);
    }
  });

  it('mid-stream exception and error frames reach the classifier', async () => {
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'throttlingException', afterChunks: 2 } });
    expect((await invoke()).exception).toBeInstanceOf(ThrottlingError);
    emu.faults.add({ fault: { kind: 'error-frame', afterChunks: 1, errorCode: 'InternalFailure', errorMessage: 'x' } });
    expect((await invoke()).exception).toMatchObject({ name: 'ServiceError', code: 'InternalFailure' });
  });

  it('a pre-stream 429 is the SDK typed exception, with Retry-After classified', async () => {
    emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 3 } });
    const outcome = await invoke();
    expect(outcome.error).toBeInstanceOf(ThrottlingException);
    const classified = classifyError(outcome.error, { ...context, phase: 'request' });
    expect(classified).toMatchObject({ name: 'ThrottlingError', statusCode: 429, retryable: true });
    expect(classified.retryAfterMs).toBe(3000);
  });
});

describe('our own SDK client against the emulator', () => {
  it('sends once: a 503 comes back after one attempt, counted in $metadata', async () => {
    const transport = new OwnClientTransport(
      createOwnSdkClient({ endpoint: emu.url, region: 'us-east-1', credentials }),
    );
    emu.requestLog.clear();
    emu.faults.add({ fault: { kind: 'error', errorType: 'ServiceUnavailableException' }, times: 1 });
    const adapter = resolveAdapter(CLAUDE);
    const command = new InvokeModelWithResponseStreamCommand({
      modelId: CLAUDE,
      contentType: 'application/json',
      body: JSON.stringify(adapter.buildRequest(request)),
    });
    try {
      const attempt = new AttemptWatchdog(new AbortController().signal, DEFAULT_TIMEOUTS);
      await expect(transport.openStream(command, attempt)).rejects.toMatchObject({
        name: 'ServiceUnavailableException',
        $metadata: { httpStatusCode: 503, attempts: 1, totalRetryDelay: 0 },
      });
    } finally {
      transport.destroy();
    }
    expect(emu.requestLog.entries().map((entry) => [entry.attempt, entry.status])).toEqual([[1, 503]]);
  });
});
