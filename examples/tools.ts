/**
 * Tool use with the multi-step helper: `client.runTools()` streams a step, runs the tools the model
 * called, sends their results back and streams the next step, as one event stream.
 * `npx tsx examples/tools.ts`
 */
import { BedrockStreamingClient } from '../src/index.js';
import { connect } from './connect.js';

const connection = await connect();
const client = new BedrockStreamingClient({
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  ...connection.options,
});

const run = client.runTools({
  prompt: 'What is the weather in Paris? Use get_weather, then answer in one sentence.',
  maxTokens: 300,
  tools: {
    get_weather: {
      description: 'The current weather in a city',
      inputSchema: {
        type: 'object',
        properties: { city: { type: 'string', description: 'The city, e.g. Paris' } },
        required: ['city'],
      },
      // A real tool would call a weather API (pass `signal` on, so aborting the run stops it).
      execute: ({ city }: { city: string }) => ({ city, sky: 'sunny', celsius: 21 }),
    },
  },
});

for await (const event of run) {
  switch (event.type) {
    case 'step-start':
      console.log(`-- step ${event.step}`);
      break;
    case 'text':
      process.stdout.write(event.delta);
      break;
    case 'tool-call':
      console.log(`calls ${event.name}(${JSON.stringify(event.input)})`);
      break;
    case 'tool-result':
      console.log(`${event.toolName} returned ${JSON.stringify(event.output)}${event.isError ? ' (error)' : ''}`);
      break;
    default:
      break;
  }
}
const result = await run.finalResult();
console.log(
  `\n[${result.finishReason}] ${result.steps.length} steps, ${result.usage.outputTokens} output tokens in all`,
);

client.destroy();
await connection.close();
