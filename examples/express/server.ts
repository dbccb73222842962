/**
 * Runs the Express example: `npx tsx examples/express/server.ts` (PORT, default 3000). Requests go
 * where examples/connect.ts says: BEDROCK_ENDPOINT, real Bedrock with AWS credentials, else an
 * embedded emulator.
 */
import { BedrockStreamingClient } from '../../src/index.js';
import { connect } from '../connect.js';
import { createApp } from './app.js';

const connection = await connect();
const client = new BedrockStreamingClient({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', ...connection.options });
const port = Number(process.env.PORT ?? 3000);
const server = createApp(client).listen(port, '127.0.0.1', () => {
  console.log(`Express example on http://127.0.0.1:${port}`);
  console.log(`  curl -N http://127.0.0.1:${port}/story -H 'content-type: application/json' -d '{"topic":"the sea"}'`);
});

process.once('SIGINT', () => {
  server.close();
  client.destroy();
  void connection.close().then(() => process.exit(0));
});
