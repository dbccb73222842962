/** Pattern 1: iterate the stream. `npx tsx examples/stream-iterator.ts` */
import { BedrockStreamingClient } from '../src/index.js';
import { connect } from './connect.js';

const connection = await connect();
const client = new BedrockStreamingClient({
  modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
  ...connection.options,
});

const stream = client.invokeStream({ prompt: 'Write a short story about space exploration.', maxTokens: 500 });
for await (const chunk of stream) {
  process.stdout.write(chunk);
}

// The same stream also has the final result: stop reason, usage and timings.
const result = await stream.finalResult();
console.log(
  `\n\n[${result.stopReason}] ${result.usage.outputTokens} output tokens (${result.usage.source}), ` +
    `first token after ${result.metrics.timeToFirstTokenMs?.toFixed(0)} ms, ${result.metrics.chunkCount} chunks`,
);

client.destroy();
await connection.close();
