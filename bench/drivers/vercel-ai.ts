/**
 * Vercel AI SDK: `streamText` with `@ai-sdk/amazon-bedrock` pointed at the emulator by `baseURL`. It
 * calls ConverseStream through global fetch (undici, HTTP/1.1), signed with aws4fetch.
 */
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { streamText } from 'ai';
import { BENCH_CREDENTIALS, BENCH_REGION, TextCollector, type BenchDriver, type StreamOptions } from './driver.js';

export function createVercelAiDriver(endpoint: string): BenchDriver {
  const bedrock = createAmazonBedrock({ region: BENCH_REGION, ...BENCH_CREDENTIALS, baseURL: endpoint });
  return {
    name: 'vercel-ai',
    transport: 'ConverseStream, fetch (undici, HTTP/1.1), AI SDK event-stream decoder',
    async stream(modelId: string, prompt: string, maxTokens: number, options?: StreamOptions) {
      let failure: unknown;
      const result = streamText({
        model: bedrock(modelId),
        prompt,
        maxOutputTokens: maxTokens,
        maxRetries: 0,
        ...(options?.signal ? { abortSignal: options.signal } : {}),
        // streamText reports errors here and ends the text stream; keep them so a failure is not a success.
        onError: ({ error }) => {
          failure = error;
        },
      });
      const collector = new TextCollector(options);
      for await (const delta of result.textStream) collector.add(delta);
      if (failure !== undefined) throw failure;
      return collector.result();
    },
    async close() {},
  };
}
