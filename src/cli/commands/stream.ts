/**
 * `bedrock-inference stream [prompt...]`: streams one answer to stdout as it is generated (the prompt from
 * the arguments, or from stdin when there are none), then one line of metrics to stderr. Ctrl-C closes
 * the upstream request (Bedrock stops generating) and keeps what was printed. Errors are the library's:
 * what happened and what to do, on stderr, exit code 1; text already printed stays.
 */
import type { Command } from 'commander';
import { AbortError, type BedrockStreamingClient, type InferenceRequest } from '../../index.js';
import { addAttachmentOptions, guardrailField, userContent, type AttachmentFlags } from '../attachments.js';
import {
  addGenerationOptions,
  errorText,
  INTERRUPTED,
  metricsLine,
  promptFrom,
  requestFields,
  withClient,
  type GenerationFlags,
} from '../generation-options.js';

export function registerStreamCommand(program: Command): void {
  addAttachmentOptions(
    addGenerationOptions(
      program
        .command('stream')
        .description('Stream one answer to stdout as it is generated (prompt from the arguments, else stdin)')
        .argument('[prompt...]', 'the prompt (default: read stdin)'),
    ),
  ).action(async (words: string[], flags: GenerationFlags & AttachmentFlags, command: Command) => {
    const prompt = await promptFrom(words, command);
    await withClient(flags, async (client, signal, say) => {
      const messages = [{ role: 'user' as const, content: userContent(prompt, flags) }];
      const request = { ...requestFields(flags), ...guardrailField(flags), messages, signal };
      process.exitCode = await streamAnswer(client, request, say);
    });
  });
}

/**
 * Streams one answer to stdout; the request's `signal` stops it (the upstream request is closed). Returns
 * the exit code: 0, 1 on an error, INTERRUPTED when stopped. `onText` gets the text printed, also when
 * the answer failed or was stopped (and '' when a guardrail withdrew it: it is not the conversation).
 */
export async function streamAnswer(
  client: BedrockStreamingClient,
  request: InferenceRequest,
  say: (line: string) => void,
  onText?: (text: string) => void,
): Promise<number> {
  let stream;
  try {
    stream = client.invokeStream(request);
  } catch (error) {
    // A request the library rejects before sending (unknown model, bad parameters).
    say(errorText(error));
    return 1;
  }
  let printed = '';
  let withdrawn = false;
  try {
    for await (const event of stream.events()) {
      if (event.type === 'text') {
        printed += event.delta;
        process.stdout.write(event.delta);
      } else if (event.type === 'tool-call') {
        say(
          `${printed === '' || printed.endsWith('\n') ? '' : '\n'}[tool call ${event.name} ${JSON.stringify(event.input)} (id ${event.id})]`,
        );
      } else if (event.type === 'guardrail' && event.action === 'intervened') {
        // A warning, so it is shown even with --quiet: the answer was blocked or taken back.
        withdrawn = event.withdrawsStreamedText;
        process.stderr.write(`${guardrailNotice(event.phase, event.withdrawsStreamedText && printed !== '')}\n`);
      }
    }
    const result = await stream.finalResult();
    if (printed !== '') process.stdout.write('\n');
    say(metricsLine(result));
    return 0;
  } catch (error) {
    if (printed !== '') process.stdout.write('\n');
    if (error instanceof AbortError) {
      say('Stopped: the upstream request was closed, so generation (and billing) stopped there.');
      return INTERRUPTED;
    }
    say(errorText(error));
    return 1;
  } finally {
    onText?.(withdrawn ? '' : printed);
  }
}

function guardrailNotice(phase: 'input' | 'output', withdraws: boolean): string {
  if (phase === 'input') return 'Guardrail: the request was blocked; the model did not answer it.';
  return withdraws
    ? 'Guardrail: the answer was stopped and the text above withdrawn; do not rely on it.'
    : 'Guardrail: the answer was stopped.';
}
