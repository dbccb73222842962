/**
 * One process of the fleet test: a client with a limiter on the shared Redis, pointed at the parent's
 * emulator. Waits for "go" so every process bursts at once, sends its burst, reports each call's outcome.
 */
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { BedrockInferenceError } from '../../src/errors.js';
import { createQuotaLimiter, type QuotaLimiterOptions } from '../../src/quota/index.js';

export interface FleetChildConfig {
  emulatorUrl: string;
  modelId: string;
  calls: number;
  maxTokens: number;
  quota: QuotaLimiterOptions;
}

export interface FleetChildReport {
  served: number;
  failures: string[];
}

const config = JSON.parse(process.argv[2]!) as FleetChildConfig;
const quota = createQuotaLimiter(config.quota);
const client = new BedrockStreamingClient({
  endpoint: config.emulatorUrl,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  modelId: config.modelId,
  quota,
});
process.send?.('ready');
process.once('message', async () => {
  const outcomes = await Promise.allSettled(
    Array.from({ length: config.calls }, (_, i) =>
      client.invokeStream({ prompt: `Fleet call ${process.pid}-${i}.`, maxTokens: config.maxTokens }).finalResult(),
    ),
  );
  const report: FleetChildReport = {
    served: outcomes.filter((o) => o.status === 'fulfilled').length,
    failures: outcomes.flatMap((o) =>
      o.status === 'rejected'
        ? [BedrockInferenceError.isInstance(o.reason) ? `${o.reason.name}: ${o.reason.message}` : String(o.reason)]
        : [],
    ),
  };
  client.destroy();
  await quota.close();
  process.send?.(report, () => process.exit(0));
});
