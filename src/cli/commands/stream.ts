/**
 * `bedrock-inference stream [prompt...]`: streams one answer to stdout as it is generated (the prompt from
 * the arguments, or from stdin when there are none), then one line of metrics to stderr. Ctrl-C closes
 * the upstream request (Bedrock stops generating) and keeps what was printed. Errors are the library's:
 * what happened and what to do, on stderr, exit code 1; text already printed stays.
 */
import { InvalidArgumentError, type Command } from 'commander';
import {
  AbortError,
  BedrockInferenceError,
  BedrockStreamingClient,
  type BedrockStreamingClientOptions,
  type InferenceResult,
} from '../../index.js';
import type { Speed } from '../../emulator/timing.js';
import { DEFAULT_MODEL } from '../../server/index.js';
import { backendChoice, defaultRegion, resolveBackend, speedChoice, type BackendChoice } from '../backend.js';

interface StreamFlags {
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
const INTERRUPTED = 130;

export function registerStreamCommand(program: Command): void {
  program
    .command('stream')
    .description('Stream one answer to stdout as it is generated (prompt from the arguments, else stdin)')
    .argument('[prompt...]', 'the prompt (default: read stdin)')
    .option('-m, --model <id>', 'model id, inference profile id or ARN', DEFAULT_MODEL)
    .option('--family <family>', "the model family, for an ARN that does not name one (e.g. 'anthropic')")
    .option('--max-tokens <n>', 'longest answer, in tokens', positiveInteger, 1_000)
    .option('--temperature <t>', "sampling temperature (its range is the model family's)", temperature)
    .option('--system <text>', 'system prompt')
    .option('--api <api>', 'invoke (the family native API) or converse', api, 'invoke')
    .option('--backend <backend>', 'aws | emulator | auto (aws when credentials resolve)', backendChoice, 'auto')
    .option('--region <region>', 'AWS region (default: AWS_REGION, else us-east-1)')
    .option(
      '--emulator-speed <speed>',
      "the emulator's pace: instant, realistic or a multiplier",
      speedChoice,
      'realistic',
    )
    .option('-q, --quiet', 'print only the answer (no backend or metrics lines on stderr)')
    .action(async (words: string[], flags: StreamFlags, command: Command) => {
      const prompt = words.length > 0 ? words.join(' ') : await readStdin();
      if (prompt.trim() === '') {
        command.error('error: no prompt: pass it as arguments or on stdin (echo "Hello" | bedrock-inference stream)');
      }
      const say = (line: string) => {
        if (flags.quiet !== true) process.stderr.write(`${line}\n`);
      };
      const backend = await resolveBackend({
        backend: flags.backend,
        region: defaultRegion(flags.region),
        modelId: flags.model,
        emulatorSpeed: flags.emulatorSpeed,
      });
      say(backend.description);
      // The library checks the family name and lists the valid ones when it is wrong.
      const family = flags.family as BedrockStreamingClientOptions['family'];
      const client = new BedrockStreamingClient({
        ...backend.clientOptions,
        ...(family === undefined ? {} : { family }),
      });
      process.exitCode = await streamAnswer(client, prompt, flags, say);
      client.destroy();
      await backend.emulator?.close();
    });
}

async function streamAnswer(
  client: BedrockStreamingClient,
  prompt: string,
  flags: StreamFlags,
  say: (line: string) => void,
): Promise<number> {
  let stream;
  try {
    stream = client.invokeStream({
      prompt,
      maxTokens: flags.maxTokens,
      api: flags.api,
      ...(flags.temperature === undefined ? {} : { temperature: flags.temperature }),
      ...(flags.system === undefined ? {} : { system: flags.system }),
    });
  } catch (error) {
    // A request the library rejects before sending (unknown model, bad parameters).
    say(errorText(error));
    return 1;
  }
  const interrupt = () => stream.abort();
  process.once('SIGINT', interrupt);
  let printed = false;
  try {
    for await (const delta of stream) {
      printed = true;
      process.stdout.write(delta);
    }
    const result = await stream.finalResult();
    if (printed) process.stdout.write('\n');
    say(metricsLine(result));
    return 0;
  } catch (error) {
    if (printed) process.stdout.write('\n');
    if (error instanceof AbortError) {
      say('Stopped: the upstream request was closed, so generation (and billing) stopped there.');
      return INTERRUPTED;
    }
    say(errorText(error));
    return 1;
  } finally {
    process.off('SIGINT', interrupt);
  }
}

function metricsLine(result: InferenceResult): string {
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

function errorText(error: unknown): string {
  if (BedrockInferenceError.isInstance(error)) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8').trim();
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError(`expected a whole number from 1, got "${value}"`);
  return parsed;
}

function temperature(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError(`expected a number from 0, got "${value}"`);
  }
  return parsed;
}

function api(value: string): StreamFlags['api'] {
  if (value === 'invoke' || value === 'converse') return value;
  throw new InvalidArgumentError('--api must be invoke or converse');
}
