/**
 * Which Bedrock a CLI command talks to. `auto` (the default) is real Bedrock when AWS credentials resolve
 * through the SDK's default chain, else the local emulator started in this process; `aws` and `emulator`
 * force one. Either way the library makes the same SDK calls: only endpoint and credentials differ.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { InvalidArgumentError } from 'commander';
import { startEmulator, type Emulator } from '../emulator/server.js';
import type { Speed } from '../emulator/timing.js';
import type { BedrockStreamingClientOptions } from '../index.js';

export type BackendChoice = 'aws' | 'emulator' | 'auto';

export interface ResolvedBackend {
  clientOptions: BedrockStreamingClientOptions;
  /** The emulator started for this command, when it uses one (close it on exit). */
  emulator: Emulator | undefined;
  /** One line saying which backend serves, and why. */
  description: string;
}

/** How long to wait for the credential chain (instance metadata can be slow off EC2). */
const CREDENTIALS_TIMEOUT_MS = 3_000;

export function defaultRegion(flag: string | undefined): string {
  return flag ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

export async function resolveBackend(options: {
  backend: BackendChoice;
  region: string;
  /** The default model of the client (a request may name its own). */
  modelId?: string;
  emulatorSpeed?: Speed;
}): Promise<ResolvedBackend> {
  const { backend, region, modelId } = options;
  const useAws = backend === 'aws' || (backend === 'auto' && (await credentialsResolve(region)));
  if (useAws) {
    return {
      clientOptions: { region, ...(modelId === undefined ? {} : { modelId }) },
      emulator: undefined,
      description: `Using AWS Bedrock in ${region} (credentials from the default provider chain).`,
    };
  }
  const emulator = await startEmulator({ port: 0, speed: options.emulatorSpeed ?? 'realistic' });
  const why = backend === 'emulator' ? '--backend emulator' : 'no AWS credentials found';
  return {
    clientOptions: {
      endpoint: emulator.url,
      region,
      credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
      ...(modelId === undefined ? {} : { modelId }),
    },
    emulator,
    description: `Using the local Bedrock emulator at ${emulator.url} (${why}; answers are generated text).`,
  };
}

/** True when the SDK's default credential chain yields credentials (within a short timeout). */
async function credentialsResolve(region: string): Promise<boolean> {
  const client = new BedrockRuntimeClient({ region });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), CREDENTIALS_TIMEOUT_MS);
    });
    const identity = await Promise.race([client.config.credentials(), timeout]);
    return typeof identity.accessKeyId === 'string' && identity.accessKeyId !== '';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

/** commander parser for `--backend`. */
export function backendChoice(value: string): BackendChoice {
  if (value === 'aws' || value === 'emulator' || value === 'auto') return value;
  throw new InvalidArgumentError('--backend must be aws, emulator or auto');
}
