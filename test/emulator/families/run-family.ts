/**
 * Drives a family handler the way the emulator's HTTP layer does, without HTTP: parse, generate with the
 * Markov backend, group tokens into chunks of `chunkTokens`, render with the stream writer and the
 * InvokeModel body. Lets unit tests check chunk sequences and token invariants directly.
 */
import type { FamilyHandler, GenerationEnd, WriterContext } from '../../../src/emulator/families/types.js';
import { createMarkovBackend } from '../../../src/emulator/text/markov-backend.js';

export interface FamilyRun {
  chunks: Record<string, unknown>[];
  invoke: Record<string, unknown>;
  reasoning: string;
  text: string;
  end: GenerationEnd;
}

const backend = createMarkovBackend();

export async function runFamily(
  handler: FamilyHandler,
  baseModelId: string,
  body: unknown,
  chunkTokens = 3,
): Promise<FamilyRun> {
  const request = handler.parseInvokeRequest(body, { baseModelId });
  const context: WriterContext = {
    modelId: baseModelId,
    baseModelId,
    requestId: '0b7f3c2e-1d2a-4c5b-9e8f-0123456789ab',
    inputTokens: request.inputTokens,
  };
  const writer = handler.createStreamWriter(context);
  const chunks: object[] = [...writer.start()];
  let reasoning = '';
  let text = '';
  let pending = '';
  let pendingTokens = 0;
  let channel: 'reasoning' | 'text' = 'text';
  const flush = (): void => {
    if (pendingTokens === 0) return;
    chunks.push(
      ...(channel === 'reasoning' ? writer.reasoning(pending, pendingTokens) : writer.text(pending, pendingTokens)),
    );
    pending = '';
    pendingTokens = 0;
  };
  const tokens = backend.generate(request, new AbortController().signal);
  for (;;) {
    const step = await tokens.next();
    if (step.done) {
      flush();
      const end: GenerationEnd = {
        ...step.value,
        inputTokens: request.inputTokens,
        metrics: {
          inputTokenCount: request.inputTokens,
          outputTokenCount: step.value.outputTokens,
          invocationLatency: 120,
          firstByteLatency: 40,
        },
      };
      chunks.push(...writer.finish(end));
      const invoke = handler.invokeResponse(context, { reasoning, text, toolCalls: [], end }) as Record<
        string,
        unknown
      >;
      // Chunks travel as JSON: round-trip them so tests see exactly what a client would decode.
      return { chunks: JSON.parse(JSON.stringify(chunks)) as Record<string, unknown>[], invoke, reasoning, text, end };
    }
    // Plain-text tests: this helper never offers tools.
    if (step.value.channel === 'tool') continue;
    if (step.value.channel !== channel) flush();
    channel = step.value.channel;
    if (channel === 'reasoning') reasoning += step.value.text;
    else text += step.value.text;
    pending += step.value.text;
    pendingTokens++;
    if (pendingTokens >= chunkTokens) flush();
  }
}

export const METRICS = 'amazon-bedrock-invocationMetrics';

/** Asserts a function throws a Bedrock error of this type whose message contains `fragment`. */
export function errorOf(fn: () => unknown): { errorType: string; message: string; status: number } {
  try {
    fn();
  } catch (error) {
    const e = error as { errorType: string; message: string; status: number };
    return { errorType: e.errorType, message: e.message, status: e.status };
  }
  throw new Error('expected an error');
}
