/**
 * `bedrock-inference serve`: the streaming server as its own process. `--backend auto` (default) uses
 * real Bedrock when AWS credentials resolve through the SDK's default chain, else starts the local
 * emulator in-process and says so in one line. Ctrl-C shuts down gracefully.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { InvalidArgumentError, type Command } from 'commander';
import { startEmulator, type Emulator } from '../../emulator/server.js';
import type { BedrockStreamingClientOptions } from '../../index.js';
import { createServer, DEFAULT_MODEL } from '../../server/index.js';

interface ServeFlags {
  port: number;
  host: string;
  backend: 'aws' | 'emulator' | 'auto';
  region?: string;
  model: string;
  redisUrl?: string;
  apiKey: string[];
  corsOrigin: string[];
  logPrompts?: boolean;
  shareSecret?: string;
}

/** How long to wait for the credential chain (instance metadata can be slow off EC2). */
const CREDENTIALS_TIMEOUT_MS = 3_000;

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the streaming server (chunked text, SSE with replay, OpenAI-compatible /v1)')
    .option('-p, --port <port>', 'port to listen on', port, 3000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--backend <backend>', 'aws | emulator | auto (aws when credentials resolve)', backend, 'auto')
    .option('--region <region>', 'AWS region (default: AWS_REGION, else us-east-1)')
    .option('--model <id>', 'default model for requests that name none', DEFAULT_MODEL)
    .option('--redis-url <url>', 'share generations through Redis (default: REDIS_URL, else in memory)')
    .option('--api-key <key>', 'require this Bearer key (repeatable; default: API_KEYS, comma-separated)', collect, [])
    .option('--cors-origin <origin>', 'allow browser calls from this origin (repeatable, * for any)', collect, [])
    .option(
      '--share-secret <secret>',
      'signs share tokens; the same on every server sharing Redis (default: SHARE_SECRET)',
    )
    .option('--log-prompts', 'include prompt text in logs (off by default)')
    .action(async (flags: ServeFlags) => {
      const region = flags.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
      const useAws = flags.backend === 'aws' || (flags.backend === 'auto' && (await credentialsResolve(region)));
      let emulator: Emulator | undefined;
      let clientOptions: BedrockStreamingClientOptions;
      if (useAws) {
        clientOptions = { region, modelId: flags.model };
        process.stdout.write(`Using AWS Bedrock in ${region} (credentials from the default provider chain).\n`);
      } else {
        emulator = await startEmulator({ port: 0, speed: 'realistic' });
        clientOptions = {
          endpoint: emulator.url,
          region,
          credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
          modelId: flags.model,
        };
        const why = flags.backend === 'emulator' ? '--backend emulator' : 'no AWS credentials found';
        process.stdout.write(
          `Using the local Bedrock emulator at ${emulator.url} (${why}; answers are generated text).\n` +
            `  The AWS SDK reaches it too: endpoint ${emulator.url}, any credentials (\`bedrock-inference emulator\` runs it alone).\n`,
        );
      }
      const apiKeys = flags.apiKey.length > 0 ? flags.apiKey : (process.env.API_KEYS ?? '').split(',').filter(Boolean);
      const shareSecret = flags.shareSecret ?? process.env.SHARE_SECRET;
      const server = createServer({
        clientOptions,
        defaultModel: flags.model,
        apiKeys,
        cors: flags.corsOrigin,
        logPrompts: flags.logPrompts === true,
        ...(shareSecret === undefined ? {} : { shareSecret }),
        ...(flags.redisUrl === undefined ? {} : { redisUrl: flags.redisUrl }),
      });
      const url = await server.listen(flags.port, flags.host);
      process.stdout.write(
        [
          `Streaming server on ${url}${apiKeys.length > 0 ? ` (API keys required: ${apiKeys.length})` : ''}`,
          `  curl -N ${url}/api/stream-completion -H 'content-type: application/json' -d '{"prompt":"Hello"}'`,
          `  curl -N ${url}/api/chat -H 'content-type: application/json' -d '{"messages":[{"role":"user","content":"Hello"}]}'`,
          `  OpenAI clients: baseURL ${url}/v1   Models: ${url}/api/models   Metrics: ${url}/metrics`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      const stop = async () => {
        process.stdout.write('\nShutting down: finishing open streams...\n');
        await server.close();
        await emulator?.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
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

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new InvalidArgumentError(`expected a port number, got "${value}"`);
  }
  return parsed;
}

function backend(value: string): ServeFlags['backend'] {
  if (value === 'aws' || value === 'emulator' || value === 'auto') return value;
  throw new InvalidArgumentError('--backend must be aws, emulator or auto');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
