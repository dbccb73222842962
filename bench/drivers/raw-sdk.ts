/**
 * The baseline: the AWS SDK's InvokeModelWithResponseStream over its default handler (HTTP/2, h2c
 * against the emulator), decoding each chunk's bytes as JSON and keeping Claude's text_delta.
 */
import { BedrockRuntimeClient, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { BENCH_CREDENTIALS, BENCH_REGION, TextCollector, type BenchDriver, type StreamOptions } from './driver.js';

interface ClaudeChunk {
  type: string;
  delta?: { type: string; text?: string };
}

export function createRawSdkDriver(endpoint: string): BenchDriver {
  const client = new BedrockRuntimeClient({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS });
  const decoder = new TextDecoder();
  return {
    name: 'raw-sdk',
    transport: 'InvokeModelWithResponseStream, SDK default handler (HTTP/2), SDK event-stream decoder',
    async stream(modelId: string, prompt: string, maxTokens: number, options?: StreamOptions) {
      const response = await client.send(
        new InvokeModelWithResponseStreamCommand({
          modelId,
          contentType: 'application/json',
          body: JSON.stringify({
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: maxTokens,
            messages: [{ role: 'user', content: prompt }],
          }),
        }),
        options?.signal ? { abortSignal: options.signal } : {},
      );
      const collector = new TextCollector(options);
      for await (const event of response.body ?? []) {
        const bytes = event.chunk?.bytes;
        if (bytes === undefined) continue;
        const chunk = JSON.parse(decoder.decode(bytes)) as ClaudeChunk;
        if (chunk.type === 'content_block_delta' && chunk.delta?.type === 'text_delta') {
          collector.add(chunk.delta.text ?? '');
        }
      }
      return collector.result();
    },
    async close() {
      client.destroy();
    },
  };
}
