/**
 * `bedrock-inference serve`: the streaming server as its own process. `--backend auto` (default) uses
 * real Bedrock when AWS credentials resolve through the SDK's default chain, else starts the local
 * emulator in-process and says so in one line. Ctrl-C shuts down gracefully.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { createQuotaLimiter } from '../../index.js';
import type { GuardrailConfig } from '../../index.js';
import { createServer, DEFAULT_MODEL } from '../../server/index.js';
import { guardrailFlag } from '../attachments.js';
import { backendChoice, defaultRegion, resolveBackend, type BackendChoice } from '../backend.js';
import { positiveInteger } from '../option-parsers.js';

interface ServeFlags {
  port: number;
  host: string;
  backend: BackendChoice;
  region?: string;
  model: string;
  redisUrl?: string;
  redisKeyPrefix?: string;
  disconnectGraceMs?: number;
  allowedHost: string[];
  apiKey: string[];
  corsOrigin: string[];
  logPrompts?: boolean;
  shareSecret?: string;
  tpm?: number;
  rpm?: number;
  page: boolean;
  pageDir?: string;
  guardrail?: GuardrailConfig;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the streaming server (chunked text, SSE with replay, OpenAI-compatible /v1)')
    .option('-p, --port <port>', 'port to listen on', port, 3000)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--backend <backend>', 'aws | emulator | auto (aws when credentials resolve)', backendChoice, 'auto')
    .option('--region <region>', "AWS region (default: AWS_REGION, else the profile's region)")
    .option('--model <id>', 'default model for requests that name none', DEFAULT_MODEL)
    .option('--redis-url <url>', 'share generations through Redis (default: REDIS_URL, else in memory)')
    .option('--redis-key-prefix <prefix>', 'prefix of the generation keys in Redis (default: bedrock-inference:)')
    .option(
      '--disconnect-grace-ms <ms>',
      'how long a generation outlives its last viewer, so a browser can reconnect (default: 3000)',
      nonNegativeInteger,
    )
    .option(
      '--allowed-host <host>',
      'a host name this server answers as besides IP addresses and localhost (repeatable; checked when API keys are off)',
      collect,
      [],
    )
    .option('--api-key <key>', 'require this Bearer key (repeatable; default: API_KEYS, comma-separated)', collect, [])
    .option('--cors-origin <origin>', 'allow browser calls from this origin (repeatable, * for any)', collect, [])
    .option(
      '--share-secret <secret>',
      'signs share tokens; the same on every server sharing Redis (default: SHARE_SECRET)',
    )
    .option('--log-prompts', 'include prompt text in logs (off by default)')
    .option('--guardrail <id:version>', 'apply this Bedrock guardrail to every chat request', guardrailFlag)
    .option(
      '--tpm <tokens>',
      "wait for the model's tokens-per-minute quota instead of running into 429s (shared with --redis-url)",
      positiveInteger,
    )
    .option('--rpm <requests>', "wait for the model's requests-per-minute quota", positiveInteger)
    .option('--no-page', 'do not serve the chat page at /')
    .option(
      '--page-dir <dir>',
      "serve the chat page from this folder (your own build of src/web) instead of the package's",
    )
    .action(async (flags: ServeFlags) => {
      const region = defaultRegion(flags.region);
      const { clientOptions, emulator, description } = await resolveBackend({
        backend: flags.backend,
        region,
        modelId: flags.model,
      });
      process.stdout.write(`${description}\n`);
      if (flags.tpm !== undefined || flags.rpm !== undefined) {
        clientOptions.quota = createQuotaLimiter({
          ...(flags.tpm === undefined ? {} : { tokensPerMinute: flags.tpm }),
          ...(flags.rpm === undefined ? {} : { requestsPerMinute: flags.rpm }),
          // With --redis-url every server process shares one budget (docs/quota.md).
          ...(flags.redisUrl === undefined ? {} : { redis: flags.redisUrl }),
        });
      }
      if (emulator !== undefined) {
        process.stdout.write(
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
        page: flags.page && flags.pageDir !== undefined ? { dir: flags.pageDir } : flags.page,
        ...(shareSecret === undefined ? {} : { shareSecret }),
        ...(flags.redisUrl === undefined ? {} : { redisUrl: flags.redisUrl }),
        ...(flags.redisKeyPrefix === undefined ? {} : { redisKeyPrefix: flags.redisKeyPrefix }),
        ...(flags.disconnectGraceMs === undefined ? {} : { disconnectGraceMs: flags.disconnectGraceMs }),
        ...(flags.allowedHost.length === 0 ? {} : { allowedHosts: flags.allowedHost }),
        ...(flags.guardrail === undefined ? {} : { guardrail: flags.guardrail }),
      });
      const url = await server.listen(flags.port, flags.host);
      process.stdout.write(
        [
          `Streaming server on ${url}${apiKeys.length > 0 ? ` (API keys required: ${apiKeys.length})` : ''}`,
          ...(flags.page ? [`  Chat page: open ${url} in a browser`] : []),
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

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new InvalidArgumentError(`expected a port number, got "${value}"`);
  }
  return parsed;
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new InvalidArgumentError(`expected a whole number from 0, got "${value}"`);
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
