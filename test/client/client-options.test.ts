import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { createOwnSdkClient } from '../../src/client/transport/own-client-transport.js';
import type { QuotaLimiter } from '../../src/client/types.js';
import { AbortError, RetryError, ServiceError, TimeoutError, ValidationError } from '../../src/errors.js';
import type { Emulator } from '../../src/emulator/server.js';
import { CLAUDE, clientFor, rejection, startTestEmulator } from './emulator-harness.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startTestEmulator();
});
afterAll(async () => {
  await emu.close();
});

describe('SDK client', () => {
  it('disables the SDK retries (we retry ourselves) and defaults the region for a custom endpoint', async () => {
    const client = createOwnSdkClient({ endpoint: 'http://127.0.0.1:1' });
    expect(await client.config.maxAttempts()).toBe(1);
    if (!process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION)
      expect(await client.config.region()).toBe('us-east-1');
    client.destroy();
  });

  it('uses a given client as is', () => {
    const given = new BedrockRuntimeClient({ region: 'eu-west-1' });
    const client = new BedrockStreamingClient({ client: given });
    expect(client.sdkClient).toBe(given);
    given.destroy();
  });

  it('streams, invokes and cancels over HTTP/1.1 with a caller-provided SDK client', async () => {
    const sdk = new BedrockRuntimeClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: new NodeHttpHandler(),
    });
    const client = new BedrockStreamingClient({ client: sdk, modelId: CLAUDE });
    const streamed = await client.invokeStream({ prompt: 'Hello over HTTP/1.1' }).finalResult();
    expect((await client.invoke({ prompt: 'Hello over HTTP/1.1' })).text).toBe(streamed.text);
    emu.faults.add({ fault: { kind: 'stall', afterChunks: 5, ms: 20_000 } });
    for await (const _ of client.invokeStream({ prompt: 'Hello over HTTP/1.1' })) break;
    const entry = await emu.requestLog.waitFor((e) => e.outcome === 'client-aborted', 5000);
    expect(entry.outcome).toBe('client-aborted');
    emu.faults.clear();
    emu.requestLog.clear();
    sdk.destroy();
  });

  it('sends one HTTP request per attempt (no SDK retry underneath ours)', async () => {
    const client = clientFor(emu, { retry: { maxAttempts: 1 } });
    emu.faults.add({ fault: { kind: 'error', errorType: 'ThrottlingException' }, times: 3 });
    await rejection(client.invokeStream({ prompt: 'Hi' }).finalResult());
    expect(emu.requestLog.entries()).toHaveLength(1);
    emu.faults.clear();
    emu.requestLog.clear();
    client.destroy();
  });
});

describe('options and validation', () => {
  it('rejects bad options at construction and bad requests at the call', () => {
    expect(() => new BedrockStreamingClient({ retry: { maxAttempts: 0 } })).toThrow(ValidationError);
    expect(() => new BedrockStreamingClient({ timeouts: { firstChunkMs: -1 } })).toThrow(ValidationError);
    expect(() => new BedrockStreamingClient({ chunking: 'page' as 'word' })).toThrow(ValidationError);
    const client = clientFor(emu);
    expect(() => client.invokeStream({ prompt: '' })).toThrow(/`prompt` is empty/);
    expect(() => client.invokeStream({ prompt: 'x', modelId: 'acme.unknown-model-v1' })).toThrow(ValidationError);
    client.destroy();
  });

  it('routes validation errors to onError in the callbacks API', async () => {
    const client = clientFor(emu);
    const errors: Error[] = [];
    const result = await client.invokeStreamWithCallbacks({
      prompt: 'x',
      maxTokens: -1,
      onError: (e) => errors.push(e),
    });
    expect(result).toBeUndefined();
    expect(errors[0]).toBeInstanceOf(ValidationError);
    await expect(client.invokeStreamWithCallbacks({ prompt: 'x', maxTokens: -1 })).rejects.toThrow(ValidationError);
    client.destroy();
  });
});

describe('invoke() timeouts and cancellation', () => {
  it('fires the first-chunk timeout while waiting for the whole response (retried once)', async () => {
    const client = clientFor(emu, { timeouts: { firstChunkMs: 300 } });
    emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 20_000 }, times: 2 });
    const error = await rejection(client.invoke({ prompt: 'Hi' }));
    expect(error).toBeInstanceOf(RetryError);
    expect((error as RetryError).lastError).toBeInstanceOf(TimeoutError);
    emu.faults.clear();
    client.destroy();
  });

  it('aborts with the caller signal', async () => {
    const client = clientFor(emu);
    emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 20_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(client.invoke({ prompt: 'Hi', signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortError);
    emu.faults.clear();
    client.destroy();
  });
});

describe('quota seam', () => {
  function recordingLimiter() {
    const calls: string[] = [];
    const limiter: QuotaLimiter = {
      async acquire(request) {
        calls.push(`acquire ${request.modelId} ${request.maxTokens} ${request.estimatedInputTokens > 0}`);
        return {
          settle: (usage) => calls.push(`settle ${usage.inputTokens > 0} ${usage.outputTokens > 0}`),
          release: () => calls.push('release'),
        };
      },
    };
    return { calls, limiter };
  }

  it('acquires before sending and settles with the real usage', async () => {
    const { calls, limiter } = recordingLimiter();
    const client = clientFor(emu, { quota: limiter });
    await client.invokeStream({ prompt: 'Hello there', maxTokens: 50 }).finalResult();
    await client.invoke({ prompt: 'Hello there', maxTokens: 50 });
    expect(calls).toEqual([
      'acquire anthropic.claude-3-haiku-20240307-v1:0 50 true',
      'settle true true',
      'acquire anthropic.claude-3-haiku-20240307-v1:0 50 true',
      'settle true true',
    ]);
    client.destroy();
  });

  it('releases the reservation when the call fails', async () => {
    const { calls, limiter } = recordingLimiter();
    const client = clientFor(emu, { quota: limiter, retry: { maxAttempts: 1 } });
    emu.faults.add({ fault: { kind: 'error', errorType: 'InternalServerException' } });
    expect(await rejection(client.invokeStream({ prompt: 'Hi' }).finalResult())).toBeInstanceOf(ServiceError);
    expect(calls.at(-1)).toBe('release');
    emu.faults.clear();
    client.destroy();
  });
});

describe('telemetry end to end', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() =>
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })),
  );
  afterAll(() => trace.disable());

  it('records one span per call with the usage Bedrock reported', async () => {
    const client = clientFor(emu);
    const result = await client.invokeStream({ prompt: 'Say hello.' }).finalResult();
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes).toMatchObject({
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.usage.input_tokens': result.usage.inputTokens,
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
    client.destroy();
  });
});
