/**
 * Turns one SSE message from the server into a typed ChatEvent (docs/server.md lists the data). A
 * message whose data does not fit is an `error` (BadEvent): the stream cannot be trusted after it.
 * An event type this client does not know is skipped, so a newer server can add events.
 */
import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatEvent, DoneEvent, DoneMetrics, ErrorEvent, GuardrailNotice, Usage } from './chat-events.js';

type Data = Record<string, unknown>;

export function parseEvent(message: EventSourceMessage, textSoFar: string): ChatEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return malformed(message, textSoFar);
  }
  if (typeof data !== 'object' || data === null) return malformed(message, textSoFar);
  const event = decode(message.event, data as Data, textSoFar);
  return event === null ? malformed(message, textSoFar) : event;
}

/** The event, `null` when its data is malformed, `undefined` when its type is unknown. */
function decode(type: string | undefined, data: Data, textSoFar: string): ChatEvent | null | undefined {
  switch (type) {
    case 'start':
      return isString(data.id) && isString(data.model) ? { type, id: data.id, model: data.model } : null;
    case 'text':
    case 'reasoning':
      return isString(data.text) ? { type, text: data.text } : null;
    case 'usage': {
      const u = usage(data);
      return u === undefined ? null : { type, ...u };
    }
    case 'retry':
      return isNumber(data.attempt) && isNumber(data.delayMs) && isString(data.error)
        ? { type, attempt: data.attempt, delayMs: data.delayMs, error: data.error, message: String(data.message ?? '') }
        : null;
    // Tool events carry the call's id and its name (the deltas an input fragment instead), as the server wrote them.
    case 'tool-call-start':
    case 'tool-call-delta':
    case 'tool-call':
    case 'tool-result':
      return isString(data.id) && (isString(data.name) || isString(data.inputDelta))
        ? ({ type, ...data } as ChatEvent)
        : null;
    case 'step':
      return isNumber(data.step) ? { type, step: data.step } : null;
    case 'guardrail': {
      const notice = guardrail(data);
      return notice === undefined ? null : { type, ...notice };
    }
    case 'done': {
      if (!isString(data.stopReason)) return null;
      const event: DoneEvent = { type, stopReason: data.stopReason };
      if (isString(data.rawStopReason)) event.rawStopReason = data.rawStopReason;
      const u = isObject(data.usage) ? usage(data.usage) : undefined;
      if (u !== undefined) event.usage = u;
      if (isObject(data.metrics)) event.metrics = data.metrics as DoneMetrics;
      if (Array.isArray(data.toolCalls)) event.toolCalls = data.toolCalls as NonNullable<DoneEvent['toolCalls']>;
      if (isNumber(data.steps)) event.steps = data.steps;
      const notice = isObject(data.guardrail) ? guardrail(data.guardrail) : undefined;
      if (notice !== undefined) event.guardrail = notice;
      return event;
    }
    case 'cancelled':
      // The whole answer so far (the server's partialText lacks a continuation's prefill).
      return { type, partialText: textSoFar, reason: isString(data.reason) ? data.reason : 'cancelled' };
    case 'error': {
      if (!isString(data.message)) return null;
      const event: ErrorEvent = {
        type,
        errorType: isString(data.type) ? data.type : 'Error',
        message: data.message,
        retryable: data.retryable === true,
        partialText: textSoFar,
      };
      if (isNumber(data.retryAfterMs)) event.retryAfterMs = data.retryAfterMs;
      return event;
    }
    default:
      return undefined;
  }
}

function usage(data: Data): Usage | undefined {
  if (!isNumber(data.inputTokens) || !isNumber(data.outputTokens)) return undefined;
  const source = data.source === 'estimated' ? 'estimated' : 'bedrock';
  const result: Usage = { inputTokens: data.inputTokens, outputTokens: data.outputTokens, source };
  if (isNumber(data.cacheReadInputTokens)) result.cacheReadInputTokens = data.cacheReadInputTokens;
  if (isNumber(data.cacheWriteInputTokens)) result.cacheWriteInputTokens = data.cacheWriteInputTokens;
  return result;
}

function guardrail(data: Data): GuardrailNotice | undefined {
  if (data.action !== 'intervened' && data.action !== 'none') return undefined;
  if (data.phase !== 'input' && data.phase !== 'output') return undefined;
  return { action: data.action, phase: data.phase, withdrawsStreamedText: data.withdrawsStreamedText === true };
}

function malformed(message: EventSourceMessage, textSoFar: string): ErrorEvent {
  return {
    type: 'error',
    errorType: 'BadEvent',
    message: `The server sent a malformed "${message.event ?? 'message'}" event (id ${message.id ?? 'none'}).`,
    retryable: false,
    partialText: textSoFar,
  };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isObject = (value: unknown): value is Data => typeof value === 'object' && value !== null;
