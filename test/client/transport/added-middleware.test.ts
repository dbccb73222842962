/**
 * Middleware a caller adds to the library's own `sdkClient` after construction. Our client caches its
 * resolved pipeline and rebuilds streaming requests from a template, which skipped such middleware
 * silently (a build-step header frozen into the template, a finalize-step header on the first request
 * only). Now the change is detected and every later request goes through the SDK's full pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildMiddleware, FinalizeRequestMiddleware, HttpRequest } from '@smithy/types';
import { BedrockStreamingClient } from '../../../src/client/bedrock-streaming-client.js';
import { CLAUDE, TEST_CREDENTIALS } from '../emulator-harness.js';
import { startH2TestServer, type H2TestServer } from '../connection/h2-test-server.js';

let server: H2TestServer;

beforeAll(async () => {
  server = await startH2TestServer();
});

afterAll(async () => {
  await server.close();
});

describe('middleware added to our own sdkClient after construction', () => {
  it('runs on every later request: build-step and finalize-step headers change per request', async () => {
    const client = new BedrockStreamingClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      modelId: CLAUDE,
    });
    try {
      // Warm: the template is recorded and the pipeline cached.
      await client.invokeStream({ prompt: 'warm', maxTokens: 5 }).finalResult();
      await client.invokeStream({ prompt: 'warm', maxTokens: 5 }).finalResult();
      let builds = 0;
      let traces = 0;
      const build: BuildMiddleware<object, object> = (next) => (args) => {
        (args.request as HttpRequest).headers['x-build-count'] = String(++builds);
        return next(args);
      };
      const finalize: FinalizeRequestMiddleware<object, object> = (next) => (args) => {
        const trace = (++traces).toString(16).padStart(32, '0');
        (args.request as HttpRequest).headers.traceparent = `00-${trace}-00f067aa0ba902b7-01`;
        return next(args);
      };
      client.sdkClient.middlewareStack.add(build as never, { step: 'build', name: 'testBuildHeader' });
      client.sdkClient.middlewareStack.add(finalize as never, { step: 'finalizeRequest', name: 'testTraceparent' });
      const before = server.received.length;
      for (let i = 0; i < 3; i++) await client.invokeStream({ prompt: `call ${i}`, maxTokens: 5 }).finalResult();
      const sent = server.received.slice(before);
      expect(sent.map((headers) => headers['x-build-count'])).toEqual(['1', '2', '3']);
      expect(new Set(sent.map((headers) => headers.traceparent)).size).toBe(3);
    } finally {
      client.destroy();
    }
  });
});
