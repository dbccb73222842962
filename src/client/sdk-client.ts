/**
 * The AWS SDK client underneath: region, endpoint and credentials (or a named profile) through the
 * SDK's normal chain. `maxAttempts: 1` because we retry ourselves, phase-aware: stacking the SDK's
 * retries under ours would multiply attempts. A caller's own client is used as given.
 */
import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttp2Handler } from '@smithy/node-http-handler';
import type { BedrockStreamingClientOptions } from './types.js';

/**
 * Streams multiplexed on one HTTP/2 connection before the handler opens another. Below the usual
 * server limit (128 on AWS front ends), so a request never queues behind a full connection.
 */
export const MAX_STREAMS_PER_CONNECTION = 100;

export function createSdkClient(options: BedrockStreamingClientOptions): {
  client: BedrockRuntimeClient;
  owned: boolean;
} {
  if (options.client !== undefined) return { client: options.client, owned: false };
  const config: BedrockRuntimeClientConfig = {
    maxAttempts: 1,
    // The SDK's Bedrock default opens a new connection (TCP + HTTP/2 handshake) per request, and our
    // streams mark themselves as plain requests (raw-response.ts), so they share pooled connections:
    // no connect per call, and an open stream costs an HTTP/2 stream instead of a socket and a session.
    requestHandler: new NodeHttp2Handler({
      disableConcurrentStreams: false,
      maxConcurrentStreams: MAX_STREAMS_PER_CONNECTION,
    }),
  };
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
