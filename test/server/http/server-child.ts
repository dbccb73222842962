/**
 * A streaming server in its own process, for the scale-out test: configured by argv JSON, it reports
 * its URL over IPC and shuts down gracefully on SIGTERM.
 */
import { BedrockStreamingClient } from '../../../src/index.js';
import { createServer } from '../../../src/server/index.js';

const { emulatorUrl, redisUrl } = JSON.parse(process.argv[2] ?? '{}') as { emulatorUrl: string; redisUrl: string };
const client = new BedrockStreamingClient({
  endpoint: emulatorUrl,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
});
const server = createServer({ client, redisUrl, logger: false, heartbeatMs: 0 });
const url = await server.listen(0);
process.send?.({ url });
process.once('SIGTERM', () => {
  void server.close({ graceMs: 500 }).then(() => {
    client.destroy();
    process.exit(0);
  });
});
