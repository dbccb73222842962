/**
 * `bedrock-inference compare [prompt...] --models a,b,c`: the same prompt to several models, at the same
 * time (or one after another with `--sequential`, so their timings do not share the connection and the
 * cores). Prints each answer under its model, in the order given, then a table of how each streamed:
 * time to first text, total time, chunk count, chunk sizes and gaps between chunks (median / p95),
 * output tokens, tokens per second and stop reason, computed by the same module as the chat page's
 * compare view (src/browser/stream-characteristics.ts). A model that fails gets its error in the table;
 * the others still run (exit code 1 when any failed). Ctrl-C stops them all.
 */
import type { Command } from 'commander';
import {
  ChunkRecorder,
  streamCharacteristics,
  type StreamCharacteristics,
} from '../../browser/stream-characteristics.js';
import type { BedrockStreamingClient, InferenceRequest, InferenceResult } from '../../index.js';
import {
  addGenerationOptions,
  errorText,
  INTERRUPTED,
  promptFrom,
  requestFields,
  withClient,
  type GenerationFlags,
} from '../generation-options.js';

type CompareFlags = Omit<GenerationFlags, 'model' | 'family'> & {
  models: string[];
  sequential?: boolean;
  answers: boolean;
};

/** One model's outcome, with how its text chunks arrived. */
type Outcome =
  | { modelId: string; result: InferenceResult; streamed: StreamCharacteristics }
  | { modelId: string; error: string; text: string };

const DEFAULT_MODELS = [
  'anthropic.claude-3-haiku-20240307-v1:0',
  'us.amazon.nova-lite-v1:0',
  'meta.llama3-8b-instruct-v1:0',
];

export function registerCompareCommand(program: Command): void {
  addGenerationOptions(
    program
      .command('compare')
      .description('Send one prompt to several models and compare their answers and speed')
      .argument('[prompt...]', 'the prompt (default: read stdin)')
      .option('--models <ids>', 'comma-separated model ids, profiles or ARNs', modelList, DEFAULT_MODELS)
      .option('--sequential', 'one model after another (timings undisturbed by the others)')
      .option('--no-answers', 'print only the table'),
    { oneModel: false },
  ).action(async (words: string[], flags: CompareFlags, command: Command) => {
    const prompt = await promptFrom(words, command);
    await withClient(flags, async (client, signal) => {
      const request: InferenceRequest = { ...requestFields(flags), prompt, signal };
      const run = (modelId: string) => answer(client, { ...request, modelId });
      const outcomes: Outcome[] = [];
      if (flags.sequential === true) for (const modelId of flags.models) outcomes.push(await run(modelId));
      else outcomes.push(...(await Promise.all(flags.models.map(run))));
      if (flags.answers) {
        for (const outcome of outcomes) {
          const text = 'result' in outcome ? outcome.result.text : outcome.text;
          // A model that failed before any text has only its table row.
          if (text === '') continue;
          process.stdout.write(`=== ${outcome.modelId} ===\n${text}${text.endsWith('\n') ? '' : '\n'}\n`);
        }
      }
      process.stdout.write(`${table(outcomes)}\n`);
      const failed = outcomes.some((outcome) => 'error' in outcome);
      process.exitCode = signal.aborted ? INTERRUPTED : failed ? 1 : 0;
    });
  });
}

async function answer(
  client: BedrockStreamingClient,
  request: InferenceRequest & { modelId: string },
): Promise<Outcome> {
  let stream;
  try {
    const recorder = new ChunkRecorder();
    stream = client.invokeStream(request);
    for await (const delta of stream) recorder.text(delta);
    // The iteration consumed the stream; finalResult() now returns its outcome.
    const result = await stream.finalResult();
    const bedrockTokens = result.usage.source === 'bedrock' ? result.usage.outputTokens : null;
    return { modelId: request.modelId, result, streamed: streamCharacteristics(recorder.chunks, bedrockTokens) };
  } catch (error) {
    // What arrived before the failure is kept, as the library keeps it.
    return { modelId: request.modelId, error: errorText(error), text: stream?.text ?? '' };
  }
}

function table(outcomes: readonly Outcome[]): string {
  const header = [
    'model',
    'first text ms',
    'total ms',
    'chunks',
    'chunk chars p50/p95',
    'gap ms p50/p95',
    'out tokens',
    'tokens/s',
    'stop',
  ];
  const errors = new Set<number>();
  const rows = outcomes.map((outcome, index) => {
    if ('error' in outcome) {
      errors.add(index);
      return [outcome.modelId, ...header.slice(1, -1).map(() => '-'), `error: ${outcome.error}`];
    }
    const { metrics, usage, stopReason } = outcome.result;
    const { streamed } = outcome;
    return [
      outcome.modelId,
      metrics.timeToFirstTokenMs === null ? '-' : String(Math.round(metrics.timeToFirstTokenMs)),
      String(Math.round(metrics.totalTimeMs)),
      String(streamed.chunkCount),
      streamed.chunkChars === null ? '-' : `${round(streamed.chunkChars.median)}/${round(streamed.chunkChars.p95)}`,
      streamed.gapMs === null ? '-' : `${round(streamed.gapMs.median)}/${round(streamed.gapMs.p95)}`,
      `${usage.outputTokens}${usage.source === 'bedrock' ? '' : ' (est.)'}`,
      metrics.outputTokensPerSecond === null ? '-' : metrics.outputTokensPerSecond.toFixed(1),
      stopReason,
    ];
  });
  // Columns are as wide as their widest cell; an error message (in the last column) does not widen it.
  const widths = header.map((title, column) =>
    Math.max(
      title.length,
      ...rows.filter((_, index) => column < header.length - 1 || !errors.has(index)).map((row) => row[column]!.length),
    ),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Whole numbers as they are, others to one decimal (a 0.4 ms gap is not 0). */
function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function modelList(value: string): string[] {
  return value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}
