/**
 * Which Bedrock a CLI command talks to. `auto` (the default) is real Bedrock whenever anything says this
 * machine uses AWS (an AWS environment variable, a Bedrock API key, a shared config or credentials file)
 * or the SDK's credential chain resolves (instance or container metadata), else the local emulator
 * started in this process, announced loudly; `aws` and `emulator` force one. Either way the library makes
 * the same SDK calls: only endpoint and credentials differ.
 */
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
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

/**
 * Environment variables that mean "this machine is set up for AWS": with any of them `auto` uses AWS,
 * whether or not credentials resolve right now (a call then fails with the SDK's own, clear error
 * instead of answering with generated text).
 */
const AWS_SETTINGS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_BEARER_TOKEN_BEDROCK',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
] as const;

/** The region from the flag or the environment; undefined lets the SDK's chain (the profile) decide. */
export function defaultRegion(flag: string | undefined): string | undefined {
  return flag ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}

export async function resolveBackend(options: {
  backend: BackendChoice;
  region: string | undefined;
  /** The default model of the client (a request may name its own). */
  modelId?: string;
  emulatorSpeed?: Speed;
}): Promise<ResolvedBackend> {
  const { backend, region, modelId } = options;
  const model = modelId === undefined ? {} : { modelId };
  const setting = backend === 'auto' ? awsSetting() : undefined;
  const useAws =
    backend === 'aws' || setting !== undefined || (backend === 'auto' && (await credentialsResolve(region)));
  if (useAws) {
    const why =
      backend === 'aws' ? '--backend aws' : setting !== undefined ? `${setting} is set` : 'credentials resolved';
    const where = region === undefined ? "the profile's region" : region;
    return {
      clientOptions: { ...(region === undefined ? {} : { region }), ...model },
      emulator: undefined,
      description: `Using AWS Bedrock in ${where} (${why}; credentials from the SDK's default chain).`,
    };
  }
  const emulator = await startEmulator({ port: 0, speed: options.emulatorSpeed ?? 'realistic' });
  const why =
    backend === 'emulator'
      ? '--backend emulator'
      : 'no AWS credentials found: no AWS setting, profile or API key, and the credential chain resolved none';
  return {
    clientOptions: {
      endpoint: emulator.url,
      region: region ?? 'us-east-1',
      credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
      ...model,
    },
    emulator,
    description:
      `Using the local Bedrock emulator at ${emulator.url} (${why}). WARNING: answers are generated text, ` +
      'not a model; pass --backend aws to require AWS.',
  };
}

/** The first AWS setting present: an environment variable, or a shared config or credentials file. */
export function awsSetting(): string | undefined {
  for (const name of AWS_SETTINGS) if (process.env[name]) return name;
  const aws = join(homedir(), '.aws');
  const files = {
    AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE ?? join(aws, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(aws, 'credentials'),
  };
  for (const [name, path] of Object.entries(files)) {
    if (hasContent(path)) return process.env[name] === undefined ? path.replace(homedir(), '~') : name;
  }
  return undefined;
}

function hasContent(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

/**
 * True when the SDK's default credential chain yields credentials (instance or container metadata),
 * waiting as long as the SDK itself would: its providers have their own timeouts.
 */
async function credentialsResolve(region: string | undefined): Promise<boolean> {
  const client = new BedrockRuntimeClient({ region: region ?? 'us-east-1' });
  try {
    const identity = await client.config.credentials();
    return typeof identity.accessKeyId === 'string' && identity.accessKeyId !== '';
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** commander parser for `--backend`. */
export function backendChoice(value: string): BackendChoice {
  if (value === 'aws' || value === 'emulator' || value === 'auto') return value;
  throw new InvalidArgumentError('--backend must be aws, emulator or auto');
}
