/**
 * Where the examples send their requests: BEDROCK_ENDPOINT if set (e.g. a running emulator), else real
 * Bedrock when AWS credentials are configured, else an emulator embedded in this process.
 */
import type { BedrockStreamingClientOptions } from '../src/index.js';
import { startEmulator, type Emulator } from '../src/emulator/index.js';

export interface Connection {
  options: BedrockStreamingClientOptions;
  /** The embedded emulator, when one was started (the error-handling example scripts faults into it). */
  emulator: Emulator | undefined;
  close(): Promise<void>;
}

const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

function hasAwsCredentials(): boolean {
  return Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE);
}

export async function connect(): Promise<Connection> {
  const endpoint = process.env.BEDROCK_ENDPOINT;
  if (endpoint) {
    const options: BedrockStreamingClientOptions = { endpoint, region: process.env.AWS_REGION ?? 'us-east-1' };
    if (!hasAwsCredentials()) options.credentials = TEST_CREDENTIALS;
    return { options, emulator: undefined, close: async () => undefined };
  }
  if (hasAwsCredentials()) return { options: {}, emulator: undefined, close: async () => undefined };
  const speed = process.env.BEDROCK_EMULATOR_SPEED === 'instant' ? 'instant' : 'realistic';
  const emulator = await startEmulator({ port: 0, speed });
  console.error(`(no BEDROCK_ENDPOINT or AWS credentials: using an embedded emulator at ${emulator.url})`);
  return {
    options: { endpoint: emulator.url, region: 'us-east-1', credentials: TEST_CREDENTIALS },
    emulator,
    close: () => emulator.close(),
  };
}
