/**
 * The JSON `data` of each generation event, serialised once when appended and sent to every viewer
 * as is. Error data carries the library error's class name and message, never a stack.
 */
import { BedrockInferenceError, RetryError } from '../../errors.js';
import type {
  GuardrailEvent,
  InferenceMetrics,
  InferenceResult,
  RetryEvent,
  ToolRunResult,
  ToolCallDeltaEvent,
  ToolCallEvent,
  ToolCallStartEvent,
  UsageEvent,
} from '../../index.js';

export function startData(id: string, model: string): string {
  return JSON.stringify({ id, model });
}

/** Text and reasoning deltas: the hot path, so no intermediate object. */
export function deltaData(delta: string): string {
  return `{"text":${JSON.stringify(delta)}}`;
}

export function usageData(event: UsageEvent): string {
  return JSON.stringify({
    inputTokens: event.inputTokens,
    outputTokens: event.outputTokens,
    source: event.source,
    ...(event.cacheReadInputTokens === undefined ? {} : { cacheReadInputTokens: event.cacheReadInputTokens }),
    ...(event.cacheWriteInputTokens === undefined ? {} : { cacheWriteInputTokens: event.cacheWriteInputTokens }),
  });
}

export function toolCallStartData(event: ToolCallStartEvent): string {
  return JSON.stringify({ id: event.id, name: event.name });
}

/** A fragment of a tool call's JSON input, as the model streamed it (not valid JSON on its own). */
export function toolCallDeltaData(event: ToolCallDeltaEvent): string {
  return JSON.stringify({ id: event.id, inputDelta: event.inputDelta });
}

export function toolCallData(event: ToolCallEvent): string {
  return JSON.stringify({ id: event.id, name: event.name, input: event.input });
}

/** The result of a tool the server ran, answering the call with this id. */
export function toolResultData(result: { id: string; name: string; content: unknown; isError: boolean }): string {
  return JSON.stringify({ id: result.id, name: result.name, content: result.content, isError: result.isError });
}

/** A new model call of a multi-step answer begins (after the previous step's tool results). */
export function stepData(step: number): string {
  return JSON.stringify({ step });
}

/** The guardrail's verdict; its trace stays in the server (it may quote what was blocked). */
export function guardrailData(event: Pick<GuardrailEvent, 'action' | 'phase' | 'withdrawsStreamedText'>): string {
  return JSON.stringify({
    action: event.action,
    phase: event.phase,
    withdrawsStreamedText: event.withdrawsStreamedText,
  });
}

export function retryData(event: RetryEvent): string {
  return JSON.stringify({
    attempt: event.attempt,
    delayMs: event.delayMs,
    error: event.error.name,
    message: event.error.message,
  });
}

export function doneData(result: InferenceResult): string {
  return JSON.stringify({
    stopReason: result.stopReason,
    rawStopReason: result.rawStopReason,
    usage: result.usage,
    metrics: result.metrics,
    ...(result.toolCalls.length === 0 ? {} : { toolCalls: result.toolCalls }),
    ...(result.guardrail === undefined ? {} : { guardrail: JSON.parse(guardrailData(result.guardrail)) as unknown }),
  });
}

/**
 * `done` after a multi-step tool run: the last step's stop reason, usage summed over the steps, every
 * step's tool calls, and timings over the whole run (time to first token from the first step that had one).
 */
export function toolRunDoneData(run: ToolRunResult): string {
  const results = run.steps.map((step) => step.result);
  const last = results[results.length - 1]!;
  const metrics: InferenceMetrics = {
    ...last.metrics,
    timeToFirstTokenMs:
      results.find((result) => result.metrics.timeToFirstTokenMs !== null)?.metrics.timeToFirstTokenMs ?? null,
    totalTimeMs: results.reduce((sum, result) => sum + result.metrics.totalTimeMs, 0),
    chunkCount: results.reduce((sum, result) => sum + result.metrics.chunkCount, 0),
  };
  const toolCalls = run.steps.flatMap((step) => step.toolCalls);
  const guardrail = results.findLast((result) => result.guardrail !== undefined)?.guardrail;
  return JSON.stringify({
    stopReason: run.stopReason,
    rawStopReason: last.rawStopReason,
    usage: run.usage,
    metrics,
    steps: run.steps.length,
    ...(toolCalls.length === 0 ? {} : { toolCalls }),
    ...(guardrail === undefined ? {} : { guardrail: JSON.parse(guardrailData(guardrail)) as unknown }),
  });
}

export function cancelledData(partialText: string, reason: 'cancelled' | 'disconnected'): string {
  return JSON.stringify({ partialText, reason });
}

export interface ErrorData {
  /** The library error class name (`ThrottlingError`, ...; for a RetryError, its last attempt's). */
  type: string;
  message: string;
  retryable: boolean;
  partialText: string;
  statusCode?: number;
  retryAfterMs?: number;
  code?: string;
}

/** Error data for whatever ended a generation; anything not from the library is an internal error. */
export function errorData(error: unknown, partialText: string): string {
  if (!BedrockInferenceError.isInstance(error)) {
    return JSON.stringify({
      type: 'InternalError',
      message: 'The server failed while running this generation; start it again.',
      retryable: true,
      partialText,
    } satisfies ErrorData);
  }
  const last = error instanceof RetryError ? error.lastError : error;
  const data: ErrorData = {
    type: last.name,
    message: error.message,
    retryable: error.retryable,
    partialText: error.partialText === '' ? partialText : error.partialText,
  };
  if (last.statusCode !== undefined) data.statusCode = last.statusCode;
  if (last.retryAfterMs !== undefined) data.retryAfterMs = last.retryAfterMs;
  if (last.code !== undefined) data.code = last.code;
  return JSON.stringify(data);
}

export function shuttingDownData(partialText: string): string {
  return JSON.stringify({
    type: 'ServerShuttingDown',
    message: 'The server is shutting down; start the generation again (the partial answer is included).',
    retryable: true,
    partialText,
  } satisfies ErrorData);
}

/** The process running a generation went away before it finished (seen by a viewer elsewhere). */
export function lostData(): string {
  return JSON.stringify({
    type: 'GenerationLost',
    message:
      'The server running this generation stopped before it finished; the text events so far are the partial answer. Start it again.',
    retryable: true,
    partialText: '',
  } satisfies ErrorData);
}
