/** Turns one SSE message from the server into a typed ChatEvent (see docs/server.md for the data). */
import type { EventSourceMessage } from 'eventsource-parser';
import type { ChatEvent, Usage } from './chat-events.js';

export function parseEvent(message: EventSourceMessage, textSoFar: string): ChatEvent {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(message.data) as Record<string, unknown>;
  } catch {
    return malformed(message, textSoFar);
  }
  switch (message.event) {
    case 'start':
      return { type: 'start', id: String(data.id), model: String(data.model) };
    case 'text':
    case 'reasoning':
      return typeof data.text === 'string' ? { type: message.event, text: data.text } : malformed(message, textSoFar);
    case 'usage':
      return { type: 'usage', ...usage(data) };
    case 'retry':
      return {
        type: 'retry',
        attempt: Number(data.attempt),
        delayMs: Number(data.delayMs),
        error: String(data.error),
        message: String(data.message),
      };
    case 'done': {
      const event: ChatEvent = { type: 'done', stopReason: String(data.stopReason) };
      if (typeof data.rawStopReason === 'string') event.rawStopReason = data.rawStopReason;
      if (typeof data.usage === 'object' && data.usage !== null)
        event.usage = usage(data.usage as Record<string, unknown>);
      if (typeof data.metrics === 'object' && data.metrics !== null)
        event.metrics = data.metrics as Record<string, number>;
      return event;
    }
    case 'cancelled':
      return { type: 'cancelled', partialText: textSoFar, reason: String(data.reason ?? 'cancelled') };
    case 'error': {
      const event: ChatEvent = {
        type: 'error',
        errorType: String(data.type ?? 'Error'),
        message: String(data.message ?? 'The generation failed.'),
        retryable: data.retryable === true,
        // The whole answer so far (for a continuation, with the text it continues).
        partialText: textSoFar,
      };
      if (typeof data.statusCode === 'number') event.status = data.statusCode;
      if (typeof data.retryAfterMs === 'number') event.retryAfterMs = data.retryAfterMs;
      return event;
    }
    default:
      return malformed(message, textSoFar);
  }
}

function usage(data: Record<string, unknown>): Usage {
  return {
    inputTokens: Number(data.inputTokens ?? 0),
    outputTokens: Number(data.outputTokens ?? 0),
    source: data.source === 'estimated' ? 'estimated' : 'bedrock',
  };
}

function malformed(message: EventSourceMessage, textSoFar: string): ChatEvent {
  return {
    type: 'error',
    errorType: 'BadEvent',
    message: `The server sent an event this client does not understand (${String(message.event)}).`,
    retryable: false,
    partialText: textSoFar,
  };
}
