/**
 * This library: BedrockStreamingClient.invokeStream over the SDK's default handler (HTTP/2), which
 * reads the successful response's event stream with its own lean decoder.
 */
import { BedrockStreamingClient } from '../../src/index.js';
import { BENCH_CREDENTIALS, BENCH_REGION, TextCollector, type BenchDriver, type StreamOptions } from './driver.js';

export function createOursDriver(endpoint: string): BenchDriver {
  const client = new BedrockStreamingClient({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS });
  return {
    name: 'ours',
    transport: 'InvokeModelWithResponseStream, SDK default handler (HTTP/2), lean raw-body decoder',
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
      client.destroy();
    },
  };
}
