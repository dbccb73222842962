/**
 * The AWS SDK client underneath: region, endpoint and credentials (or a named profile) through the
 * SDK's normal chain. `maxAttempts: 1` because we retry ourselves, phase-aware: stacking the SDK's
 * retries under ours would multiply attempts. A caller's own client is used as given.
 */
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockStreamingClientOptions } from './types.js';

export function createSdkClient(options: BedrockStreamingClientOptions): {
  client: BedrockRuntimeClient;
  owned: boolean;
} {
  if (options.client !== undefined) return { client: options.client, owned: false };
  const config: BedrockRuntimeClientConfig = { maxAttempts: 1 };
  if (options.region !== undefined) config.region = options.region;
  else if (options.endpoint !== undefined && !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION) {
    // A custom endpoint (the emulator) still needs a region to sign with.
    config.region = 'us-east-1';
  }
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.profile !== undefined) config.profile = options.profile;
  return { client: new BedrockRuntimeClient(config), owned: true };
}
