/**
 * LangChain: `ChatBedrockConverse.stream()` over an SDK client pointed at the emulator (its
 * `endpointHost` option forces https). ConverseStream over the SDK's default handler (HTTP/2).
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { ChatBedrockConverse } from '@langchain/aws';
import { BENCH_CREDENTIALS, BENCH_REGION, TextCollector, type BenchDriver, type StreamOptions } from './driver.js';

export function createLangchainDriver(endpoint: string): BenchDriver {
  const client = new BedrockRuntimeClient({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS });
  const models = new Map<string, ChatBedrockConverse>();
  const modelFor = (model: string, maxTokens: number) => {
    const key = `${model}\u0000${maxTokens}`;
    let chat = models.get(key);
    if (chat === undefined) {
      chat = new ChatBedrockConverse({
        client,
        model,
        region: BENCH_REGION,
        credentials: BENCH_CREDENTIALS,
        maxTokens,
      });
      models.set(key, chat);
    }
    return chat;
  };
  return {
    name: 'langchain',
    transport: 'ConverseStream, SDK default handler (HTTP/2), SDK event-stream decoder',
    async stream(modelId: string, prompt: string, maxTokens: number, options?: StreamOptions) {
      const stream = await modelFor(modelId, maxTokens).stream(
        prompt,
        options?.signal ? { signal: options.signal } : {},
      );
      const collector = new TextCollector(options);
      for await (const chunk of stream) {
        if (typeof chunk.content === 'string') collector.add(chunk.content);
        else for (const part of chunk.content) if (part.type === 'text') collector.add(String(part.text));
      }
      return collector.result();
    },
    async close() {
      client.destroy();
    },
  };
}
