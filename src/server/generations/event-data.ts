/**
 * The JSON `data` of each generation event, serialised once when appended and sent to every viewer
 * as is. Error data carries the library error's class name and message, never a stack.
 */
import { BedrockInferenceError, RetryError } from '../../errors.js';
import type { InferenceResult, RetryEvent, UsageEvent } from '../../index.js';

export function startData(id: string, model: string): string {
  return JSON.stringify({ id, model });
}

/** Text and reasoning deltas: the hot path, so no intermediate object. */
export function deltaData(delta: string): string {
  return `{"text":${JSON.stringify(delta)}}`;
}

export function usageData(event: UsageEvent): string {
  return JSON.stringify({ inputTokens: event.inputTokens, outputTokens: event.outputTokens, source: event.source });
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
