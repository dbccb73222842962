/**
 * This library: BedrockStreamingClient.invokeStream, which reads the successful response's event stream
 * with its own lean decoder. Two ways: as a developer constructs it (its own SDK client and HTTP/2
 * handler settings), and handed an SDK client with the SDK's default handler, the raw SDK's exact
 * transport, so the difference to the raw SDK is the decoding path alone.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { BedrockStreamingClient } from '../../src/index.js';
import { BENCH_CREDENTIALS, BENCH_REGION, TextCollector, type BenchDriver, type StreamOptions } from './driver.js';

export function createOursDriver(endpoint: string): BenchDriver {
  const client = new BedrockStreamingClient({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS });
  return oursDriver(
    'ours',
    'InvokeModelWithResponseStream, the client as constructed (its own SDK client, HTTP/2), lean raw-body decoder',
    client,
    () => client.destroy(),
  );
}

export function createOursSdkHandlerDriver(endpoint: string): BenchDriver {
  const sdk = new BedrockRuntimeClient({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS });
  return oursDriver(
    'ours-sdk-handler',
    'InvokeModelWithResponseStream, a default SDK client (HTTP/2, a session per stream), lean raw-body decoder',
    new BedrockStreamingClient({ client: sdk }),
    () => sdk.destroy(),
  );
}

function oursDriver(name: string, transport: string, client: BedrockStreamingClient, close: () => void): BenchDriver {
  return {
    name,
    transport,
    async stream(modelId: string, prompt: string, maxTokens: number, options?: StreamOptions) {
      const stream = client.invokeStream({
        modelId,
        prompt,
        maxTokens,
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      const collector = new TextCollector(options);
      for await (const delta of stream) collector.add(delta);
      return collector.result();
    },
    async close() {
      close();
    },
  };
}
