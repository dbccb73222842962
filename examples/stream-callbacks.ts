/** Pattern 2: callbacks. `npx tsx examples/stream-callbacks.ts` */
import { BedrockStreamingClient } from '../src/index.js';
import { connect } from './connect.js';

const connection = await connect();
const client = new BedrockStreamingClient({
  modelId: 'anthropic.claude-3-sonnet-20240229-v1:0',
  ...connection.options,
});

await client.invokeStreamWithCallbacks({
  prompt: 'Explain the benefits of streaming responses in AI applications.',
  maxTokens: 500,
  // Re-chunk into whole sentences: fewer, more readable updates.
  chunking: 'sentence',
  onContent: (chunk) => process.stdout.write(chunk),
  onComplete: (result) => console.log(`\nGenerated about ${result.estimatedTokens} tokens.`),
  onError: (error) => console.error(`${error.name}: ${error.message}`),
});

client.destroy();
await connection.close();
