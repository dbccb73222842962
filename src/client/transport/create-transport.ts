/** Picks the transport for a client's options: the caller's SDK client as given, else one we build. */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockStreamingClientOptions } from '../types.js';
import { GivenClientTransport } from './given-client-transport.js';
import { createOwnSdkClient, OwnClientTransport, usesAdaptiveRetry } from './own-client-transport.js';
import type { BedrockTransport } from './transport.js';

export function createTransport(options: BedrockStreamingClientOptions): {
  sdk: BedrockRuntimeClient;
  transport: BedrockTransport;
} {
  if (options.client !== undefined) return { sdk: options.client, transport: new GivenClientTransport(options.client) };
  const sdk = createOwnSdkClient(options);
  return { sdk, transport: new OwnClientTransport(sdk, !usesAdaptiveRetry(options)) };
}
