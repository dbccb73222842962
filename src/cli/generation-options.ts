/**
 * What the commands that generate text share (`stream`, `chat`, `compare`): the model and sampling
 * flags, the backend flags, the client built from them, and how results and errors are shown.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Speed } from '../emulator/timing.js';
import {
  BedrockInferenceError,
  BedrockStreamingClient,
  type BedrockStreamingClientOptions,
  type InferenceRequest,
  type InferenceResult,
} from '../index.js';
import { DEFAULT_MODEL } from '../server/index.js';
import { backendChoice, defaultRegion, resolveBackend, type BackendChoice } from './backend.js';
import { positiveInteger, speedChoice } from './option-parsers.js';
import type { Emulator } from '../emulator/server.js';

export interface GenerationFlags {
  model: string;
  family?: string;
  maxTokens: number;
  temperature?: number;
  system?: string;
  api: 'invoke' | 'converse';
  backend: BackendChoice;
  region?: string;
  emulatorSpeed: Speed;
  quiet?: boolean;
}

/** Exit code after Ctrl-C, as shells report a process ended by SIGINT. */
export const INTERRUPTED = 130;

/** The flags; `compare` names its models itself (`--models`), so it leaves out `--model` and `--family`. */
export function addGenerationOptions(command: Command, options: { oneModel: boolean } = { oneModel: true }): Command {
  if (options.oneModel) {
    command
      .option('-m, --model <id>', 'model id, inference profile id or ARN', DEFAULT_MODEL)
      .option('--family <family>', "the model family, for an ARN that does not name one (e.g. 'anthropic')");
  }
  return command
    .option('--max-tokens <n>', 'longest answer, in tokens', positiveInteger, 1_000)
    .option('--temperature <t>', "sampling temperature (its range is the model family's)", temperature)
    .option('--system <text>', 'system prompt')
    .option('--api <api>', 'invoke (the family native API) or converse', api, 'invoke')
    .option('--backend <backend>', 'aws | emulator | auto (aws when credentials resolve)', backendChoice, 'auto')
    .option('--region <region>', "AWS region (default: AWS_REGION, else the profile's region)")
    .option(
      '--emulator-speed <speed>',
      "the emulator's pace: instant, realistic or a multiplier",
      speedChoice,
      'realistic',
    )
    .option('-q, --quiet', 'print only answers (no backend or metrics lines on stderr)');
}

/** The client for the flags (real Bedrock or the embedded emulator), and a line saying which. */
export async function clientFor(
  flags: Pick<GenerationFlags, 'backend' | 'region' | 'emulatorSpeed'> & { model?: string; family?: string },
): Promise<{ client: BedrockStreamingClient; emulator: Emulator | undefined; description: string }> {
  const backend = await resolveBackend({
    backend: flags.backend,
    region: defaultRegion(flags.region),
    ...(flags.model === undefined ? {} : { modelId: flags.model }),
    emulatorSpeed: flags.emulatorSpeed,
  });
  // The library checks the family name and lists the valid ones when it is wrong.
  const family = flags.family as BedrockStreamingClientOptions['family'];
  const client = new BedrockStreamingClient({ ...backend.clientOptions, ...(family === undefined ? {} : { family }) });
  return { client, emulator: backend.emulator, description: backend.description };
}

/** The prompt from the arguments, else from stdin; a usage error (exit 1) when there is none. */
export async function promptFrom(words: readonly string[], command: Command): Promise<string> {
  const prompt = words.length > 0 ? words.join(' ') : await readStdin();
  if (prompt.trim() === '') {
    command.error(
      `error: no prompt: pass it as arguments or on stdin (echo "Hello" | bedrock-inference ${command.name()})`,
    );
  }
  return prompt;
}

/**
 * Runs `work` with a client for the flags (its backend line said first) and a signal that Ctrl-C aborts,
 * closing the client and any embedded emulator after.
 */
export async function withClient(
  flags: Parameters<typeof clientFor>[0] & Pick<GenerationFlags, 'quiet'>,
  work: (client: BedrockStreamingClient, signal: AbortSignal, say: (line: string) => void) => Promise<void>,
): Promise<void> {
  const say = notifier(flags);
  const { client, emulator, description } = await clientFor(flags);
  say(description);
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.on('SIGINT', interrupt);
  try {
    await work(client, stop.signal, say);
  } finally {
    process.off('SIGINT', interrupt);
    client.destroy();
    await emulator?.close();
  }
}

/** The prompt piped in; empty when stdin is a terminal (nothing to read without the user). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8').trim();
}

/** The request fields the flags set. */
export function requestFields(
  flags: Pick<GenerationFlags, 'maxTokens' | 'api' | 'temperature' | 'system'>,
): InferenceRequest {
  return {
    maxTokens: flags.maxTokens,
    api: flags.api,
    ...(flags.temperature === undefined ? {} : { temperature: flags.temperature }),
    ...(flags.system === undefined ? {} : { system: flags.system }),
  };
}

/** Writes a line to stderr unless `--quiet`. */
export function notifier(flags: Pick<GenerationFlags, 'quiet'>): (line: string) => void {
  return (line) => {
    if (flags.quiet !== true) process.stderr.write(`${line}\n`);
  };
}

export function metricsLine(result: InferenceResult): string {
  const { metrics, usage } = result;
  const parts = [
    result.modelId,
    `${usage.inputTokens} in / ${usage.outputTokens} out tokens (${usage.source === 'bedrock' ? 'reported' : 'estimated'})`,
    metrics.timeToFirstTokenMs === null ? 'no text' : `first text ${Math.round(metrics.timeToFirstTokenMs)} ms`,
    `${Math.round(metrics.totalTimeMs)} ms total`,
    metrics.outputTokensPerSecond === null ? undefined : `${metrics.outputTokensPerSecond.toFixed(1)} tokens/s`,
    `stop: ${result.stopReason}`,
    result.attempts > 1 ? `${result.attempts} attempts` : undefined,
    result.resumes > 0 ? `${result.resumes} resumes` : undefined,
  ];
  return `[${parts.filter((part) => part !== undefined).join(' | ')}]`;
}

export function errorText(error: unknown): string {
  if (BedrockInferenceError.isInstance(error)) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function temperature(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError(`expected a number from 0, got "${value}"`);
  }
  return parsed;
}

function api(value: string): GenerationFlags['api'] {
  if (value === 'invoke' || value === 'converse') return value;
  throw new InvalidArgumentError('--api must be invoke or converse');
}
