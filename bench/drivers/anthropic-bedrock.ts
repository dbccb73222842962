/**
 * Anthropic's Bedrock SDK: `messages.create({ stream: true })` with `baseURL` set to the emulator. It
 * calls InvokeModelWithResponseStream through fetch (undici, HTTP/1.1) and re-parses the event
 * stream as server-sent events.
 */
import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';
import { BENCH_CREDENTIALS, BENCH_REGION, TextCollector, type BenchDriver, type StreamOptions } from './driver.js';

export function createAnthropicBedrockDriver(endpoint: string): BenchDriver {
  const client = new AnthropicBedrock({
    baseURL: endpoint,
    awsRegion: BENCH_REGION,
    awsAccessKey: BENCH_CREDENTIALS.accessKeyId,
    awsSecretKey: BENCH_CREDENTIALS.secretAccessKey,
    apiKey: null,
    maxRetries: 0,
    // This SDK release sends the first-party API version, which Bedrock rejects; Bedrock wants its own.
    defaultHeaders: { 'anthropic-version': 'bedrock-2023-05-31' },
  });
  return {
    name: 'anthropic-bedrock',
    transport: 'InvokeModelWithResponseStream, fetch (undici, HTTP/1.1), SDK decoder re-emitted as SSE',
    async stream(modelId: string, prompt: string, maxTokens: number, options?: StreamOptions) {
      const stream = await client.messages.create(
        {
          model: modelId,
          max_tokens: maxTokens,
          messages: [{ role: 'user', content: prompt }],
          stream: true,
        },
        options?.signal ? { signal: options.signal } : {},
      );
      const collector = new TextCollector(options);
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') collector.add(event.delta.text);
      }
      return collector.result();
    },
    async close() {},
  };
}
