/**
 * The server's generation routes: watch a running or finished generation (a share link), cancel it,
 * share it, and list the models.
 */
import { ChatStreamRun, cancelGeneration, type ChatStream, type StreamOptions } from './chat-stream.js';
import { headers, httpError, openSse, url, type ClientOptions } from './sse-request.js';

export interface WatchOptions extends StreamOptions {
  /** A share token from the owner (`share()`): lets anyone watch without the owner's API key. */
  share?: string;
  /** Replay only the events after this id (default: from the start). */
  lastEventId?: string;
}

/** Attaches to a generation and streams it from the start (or after `lastEventId`); stop() only detaches. */
export function watch(id: string, options: WatchOptions = {}): ChatStream {
  const query = options.share === undefined ? '' : `?share=${encodeURIComponent(options.share)}`;
  const source = {
    cancels: false,
    open: (signal: AbortSignal) =>
      openSse(options, `/api/generations/${encodeURIComponent(id)}/events${query}`, {
        headers: headers(options, options.lastEventId === undefined ? {} : { 'last-event-id': options.lastEventId }),
        signal,
      }),
    ...(options.share === undefined ? {} : { share: options.share }),
  };
  const stream = new ChatStreamRun(source, options);
  // The id is known up front: a dropped watch re-attaches to it.
  stream.snapshot.generationId = id;
  return stream;
}

/** Stops a generation for every viewer (owner only). */
export function cancel(id: string, options: ClientOptions = {}): Promise<void> {
  return cancelGeneration(id, options);
}

export interface ShareLink {
  id: string;
  share: string;
  eventsPath: string;
}

/** A token that lets others watch the generation (owner only). */
export async function share(id: string, options: ClientOptions = {}): Promise<ShareLink> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const response = await doFetch(url(options, `/api/generations/${encodeURIComponent(id)}/share`), {
    method: 'POST',
    headers: headers(options),
  });
  if (!response.ok) throw await httpError(response);
  return (await response.json()) as ShareLink;
}

export interface StreamingProfile {
  tokensPerChunk: [number, number];
  reasoning: 'never' | 'on-request' | 'always';
  note: string;
}

export interface ModelList {
  defaultModel: string;
  models: { id: string; family: string; name: string; streaming: StreamingProfile }[];
  families: { family: string; streaming: StreamingProfile }[];
}

/** GET /api/models: what the server offers, with how each family streams. */
export async function listModels(options: ClientOptions = {}): Promise<ModelList> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const response = await doFetch(url(options, '/api/models'), { headers: headers(options) });
  if (!response.ok) throw await httpError(response);
  return (await response.json()) as ModelList;
}
