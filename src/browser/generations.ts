/**
 * The server's generation routes: watch a running or finished generation (the owner's, or through a
 * share token), cancel it, share it, and list the models.
 */
import { ChatStreamRun, type ChatStream, type StreamOptions } from './chat-stream.js';
import { generationPath, requestJson, type ClientOptions } from './http.js';

export interface WatchOptions extends StreamOptions {
  /** A share token from the owner (`share()`): lets anyone watch without the owner's API key. */
  share?: string | undefined;
  /** Replay only the events after this id (default: from the start). */
  lastEventId?: string | undefined;
}

/** Attaches to a generation and streams it from the start (or after `lastEventId`). Read-only: stop() detaches. */
export function watch(id: string, options: WatchOptions = {}): ChatStream {
  const source = {
    cancels: false,
    generationId: id,
    ...(options.share === undefined ? {} : { share: options.share }),
    ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
  };
  return new ChatStreamRun(source, options);
}

/** Stops a generation for every viewer (its owner's key); rejects with ChatHttpError (404 when unknown). */
export async function cancel(id: string, options: ClientOptions = {}): Promise<void> {
  await requestJson(options, 'POST', generationPath(id, 'cancel'));
}

export interface ShareLink {
  id: string;
  /** The token for `watch(id, { share })`. */
  share: string;
  /** `/api/generations/<id>/events?share=<token>`, for an `EventSource` or a link. */
  eventsPath: string;
}

/** A token that lets others watch the generation (its owner's key). */
export async function share(id: string, options: ClientOptions = {}): Promise<ShareLink> {
  return (await requestJson(options, 'POST', generationPath(id, 'share'))) as ShareLink;
}

export interface StreamingProfile {
  /** How many tokens each chunk carries, [min, max]. */
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
  return (await requestJson(options, 'GET', '/api/models')) as ModelList;
}
