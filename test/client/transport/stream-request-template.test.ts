/**
 * After the SDK has sent a client's first streaming request, the client builds later ones from a record
 * of it (stream-request-template.ts). Against a recording HTTP/2 server: a rebuilt request is the one a
 * fresh client's SDK pipeline sends for the same input (path, body, every header but the date, signature
 * and invocation id), its signature verifies independently, and an error answer is deserialized by the
 * SDK into its typed exception without a second request. Against the emulator: later streams skip the
 * SDK pipeline (a counting middleware sees only the first) and stream the same text.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../../src/client/bedrock-streaming-client.js';
import { ValidationError } from '../../../src/errors.js';
import type { Emulator } from '../../../src/emulator/server.js';
import { CLAUDE, clientFor, rejection, startTestEmulator } from '../emulator-harness.js';
import { expectedAuthorization, startRecordingServer, type RecordingServer } from './recording-server.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const PROFILE_ARN =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0';
/** Differ per request by design: the signing date, the signature over it, the SDK's invocation id. */
const PER_REQUEST = new Set(['x-amz-date', 'authorization', 'amz-sdk-invocation-id']);

/** Counts the requests that run the SDK's middleware pipeline (added before the first send). */
/**
 * Counts sends through the SDK's pipeline by wrapping `send` on the instance: middleware added to our own
 * client would itself switch the template off (see the middleware test below).
 */
function countPipelineRuns(sdk: BedrockRuntimeClient): { runs: number } {
  const counter = { runs: 0 };
  const send = sdk.send.bind(sdk) as (...args: unknown[]) => unknown;
  (sdk as unknown as { send: unknown }).send = (...args: unknown[]) => {
    counter.runs++;
    return send(...args);
  };
  return counter;
}

function streamingClient(endpoint: string): BedrockStreamingClient {
  return new BedrockStreamingClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    modelId: CLAUDE,
    family: 'anthropic',
    retry: { maxAttempts: 1 },
  });
}

describe('streaming requests rebuilt from the SDK’s first one', () => {
  let server: RecordingServer;

  beforeAll(async () => {
    server = await startRecordingServer();
    server.answer = {
      status: 400,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ValidationException',
        'x-amzn-requestid': 'req-1',
      },
      body: JSON.stringify({ message: 'The model rejected the request.' }),
    };
  });

  afterAll(async () => {
    await server.close();
  });

  it('equal what the SDK sends for the same input, validly signed; errors come back typed, sent once', async () => {
    const warmed = streamingClient(server.url);
    const fresh = streamingClient(server.url);
    const pipeline = countPipelineRuns(warmed.sdkClient);
    const call = (client: BedrockStreamingClient, modelId: string, prompt: string) =>
      rejection(client.invokeStream({ modelId, prompt, maxTokens: 20 }).finalResult());
    try {
      await call(warmed, CLAUDE, 'first: through the SDK');
      // Another model id (an ARN: `:` and `/` in the path) and a multi-byte body: built from the record.
      const rebuiltError = await call(warmed, PROFILE_ARN, 'second: naïve café — 雪 🚀');
      await call(fresh, PROFILE_ARN, 'second: naïve café — 雪 🚀');

      expect(server.requests).toHaveLength(3);
      const [, rebuilt, reference] = server.requests as [
        unknown,
        (typeof server.requests)[0],
        (typeof server.requests)[0],
      ];
      expect(rebuilt.path).toBe(reference.path);
      expect(rebuilt.path).toContain(encodeURIComponent(PROFILE_ARN));
      expect(rebuilt.body).toBe(reference.body);
      expect(Object.keys(rebuilt.headers).sort()).toEqual(Object.keys(reference.headers).sort());
      for (const [name, value] of Object.entries(reference.headers)) {
        if (!PER_REQUEST.has(name)) expect([name, rebuilt.headers[name]]).toEqual([name, value]);
      }
      expect(rebuilt.headers['amz-sdk-request']).toBe('attempt=1; max=1');
      expect(rebuilt.headers['amz-sdk-invocation-id']).not.toBe(reference.headers['amz-sdk-invocation-id']);
      expect(rebuilt.headers.authorization).toBe(await expectedAuthorization(rebuilt, credentials));
      expect(reference.headers.authorization).toBe(await expectedAuthorization(reference, credentials));

      // The SDK deserialized the rebuilt request's error answer (a replay, no second request went out).
      expect(rebuiltError).toBeInstanceOf(ValidationError);
      const cause = (rebuiltError as ValidationError).cause as { name: string; $metadata: Record<string, unknown> };
      expect(cause.name).toBe('ValidationException');
      expect(cause.$metadata).toMatchObject({ httpStatusCode: 400, requestId: 'req-1', attempts: 1 });
      expect((rebuiltError as ValidationError).requestId).toBe('req-1');
      expect((rebuiltError as ValidationError).message).toContain('The model rejected the request.');
      // The first send and the replay ran the pipeline; the rebuilt request itself did not.
      expect(pipeline.runs).toBe(2);
    } finally {
      warmed.destroy();
      fresh.destroy();
    }
  });
});

describe('streams after the first, against the emulator', () => {
  let emu: Emulator;

  beforeAll(async () => {
    emu = await startTestEmulator();
  });

  afterAll(async () => {
    await emu.close();
  });

  it('skip the SDK pipeline and stream the same answers as a client that sends through it', async () => {
    const warmed = clientFor(emu);
    const pipeline = countPipelineRuns(warmed.sdkClient);
    const prompts = ['Tell me a story.', 'Say hello.', 'Explain streaming in three sentences.'];
    try {
      const texts: string[] = [];
      for (const prompt of prompts)
        texts.push((await warmed.invokeStream({ prompt, maxTokens: 60 }).finalResult()).text);
      expect(pipeline.runs).toBe(1);
      for (const [index, prompt] of prompts.entries()) {
        // A new client's first request always goes through the SDK.
        const fresh = clientFor(emu);
        try {
          expect((await fresh.invokeStream({ prompt, maxTokens: 60 }).finalResult()).text).toBe(texts[index]);
        } finally {
          fresh.destroy();
        }
      }
      expect(texts.every((text) => text.length > 0)).toBe(true);
      expect(emu.requestLog.entries().filter((entry) => entry.outcome === 'completed')).toHaveLength(
        prompts.length * 2,
      );
    } finally {
      warmed.destroy();
    }
  });

  it('leave other shapes to the SDK pipeline: ConverseStream, unary calls', async () => {
    const warmed = clientFor(emu);
    const pipeline = countPipelineRuns(warmed.sdkClient);
    try {
      await warmed.invokeStream({ prompt: 'Say hello.', maxTokens: 20 }).finalResult();
      const converse = await warmed
        .invokeStream({ prompt: 'Say hello.', maxTokens: 20, api: 'converse' })
        .finalResult();
      const unary = await warmed.invoke({ prompt: 'Say hello.', maxTokens: 20 });
      await warmed.invokeStream({ prompt: 'Say hello again.', maxTokens: 20 }).finalResult();
      expect(converse.text.length).toBeGreaterThan(0);
      expect(unary.text.length).toBeGreaterThan(0);
      // First stream, Converse stream, unary call: three runs; the second invoke stream needed none.
      expect(pipeline.runs).toBe(3);
    } finally {
      warmed.destroy();
    }
  });
});
