/**
 * One HTTP request to the server and its Server-Sent Events, parsed by eventsource-parser as they
 * arrive. A response that is not an event stream is the server's JSON error, turned into a typed
 * `ChatHttpError`; a connection that fails or breaks mid-body is a `ConnectionLost`, which the
 * stream may recover from by re-attaching.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { ChatHttpError, ConnectionLost, describe, httpError } from './errors.js';
import { fetchOf, headers, url, type ClientOptions } from './http.js';

export interface SseResponse {
  /** The `X-Generation-Id` header, when the server sent one. */
  generationId: string | undefined;
  /** The raw messages, in order; ends when the body ends (with or without a terminal event). */
  events: AsyncIterable<EventSourceMessage>;
}

export interface SseRequest {
  method: 'GET' | 'POST';
  path: string;
  /** JSON-encoded and sent with `content-type: application/json`. */
  body?: unknown;
  lastEventId?: string | undefined;
  signal: AbortSignal;
}

/** Sends the request; resolves once the response headers arrived (rejects with ChatHttpError or ConnectionLost). */
export async function openSse(options: ClientOptions, request: SseRequest): Promise<SseResponse> {
  const extra: Record<string, string> = { accept: 'text/event-stream' };
  if (request.body !== undefined) extra['content-type'] = 'application/json';
  if (request.lastEventId !== undefined) extra['last-event-id'] = request.lastEventId;
  const init: RequestInit = { method: request.method, headers: headers(options, extra), signal: request.signal };
  if (request.body !== undefined) init.body = JSON.stringify(request.body);
  let response: Response;
  try {
    response = await fetchOf(options)(url(options, request.path), init);
  } catch (error) {
    if (request.signal.aborted) throw error;
    throw new ConnectionLost(`Could not reach the server: ${describe(error)}`, { cause: error });
  }
  if (!response.ok) throw await httpError(response);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/event-stream') || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    const message = `Expected an event stream from ${request.path}, got "${type}".`;
    throw new ChatHttpError(502, 'UnexpectedResponse', message, undefined, undefined, true, undefined);
  }
  return {
    generationId: response.headers.get('x-generation-id') ?? undefined,
    events: readEvents(response.body, request.signal),
  };
}

async function* readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<EventSourceMessage> {
  const queue: EventSourceMessage[] = [];
  // Comments (the server's `: ping` heartbeats) and `retry:` fields are ignored.
  const parser = createParser({ onEvent: (event) => queue.push(event) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal.aborted) throw error;
        throw new ConnectionLost(`The connection to the server broke: ${describe(error)}`, { cause: error });
      }
      if (chunk.done) return;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      for (let event = queue.shift(); event !== undefined; event = queue.shift()) yield event;
    }
  } finally {
    // Stopping early (a terminal event, or the consumer left) closes the connection.
    reader.cancel().catch(() => undefined);
  }
}
