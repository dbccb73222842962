/**
 * Forwards one generation's events to one client as SSE. The starting request may hold its headers
 * briefly (headersDelayMs) so a failure before any content is still a real HTTP status (429 with
 * Retry-After, 400, 403...); after that, failures arrive as the typed `error` event. A client that
 * goes away aborts its read (the GenerationService then stops upstream if it was the last viewer).
 */
import { sendHttpError } from '../http/http-error.js';
import { failureToHttp, type FailureFacts } from '../http/map-library-error.js';
import { SseWriter } from '../http/sse-writer.js';
import type { GenerationEvent } from '../registry/types.js';
import { clientAbort, type RouteCall } from './route-call.js';
import { recordGenerationEvent, streamFinished, streamStarted } from './stream-metrics.js';

export interface ForwardOptions {
  route: string;
  id: string;
  afterId: string | undefined;
  /** The request that started the generation: holds headers and counts tokens/errors in metrics. */
  starter: boolean;
}

const TIMEOUT = Symbol('timeout');

function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  if (ms <= 0) return Promise.resolve(TIMEOUT);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(resolve, ms, TIMEOUT)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A retry that waits at least this long is worth telling the client about at once ("retrying in N s"). */
const NOTICEABLE_RETRY_MS = 500;

/**
 * Events that settle the status: content, or the end. `start` and `usage` do not, nor a quick retry; a
 * retry with a noticeable wait does, so the client can show it instead of a silent spinner.
 */
function decides(event: GenerationEvent): boolean {
  if (event.type === 'start' || event.type === 'usage') return false;
  if (event.type === 'retry') return (JSON.parse(event.data) as { delayMs: number }).delayMs >= NOTICEABLE_RETRY_MS;
  return true;
}

export async function forwardGeneration(call: RouteCall, options: ForwardOptions): Promise<void> {
  const { ctx, res } = call;
  const { generations } = ctx;
  const abort = clientAbort(call);
  const meter = streamStarted(ctx, options.route, call.startedAt);
  const iterator = generations.events(options.id, options.afterId, abort.signal)[Symbol.asyncIterator]();
  let outcome: 'done' | 'disconnected' | 'error' = 'done';
  let writer: SseWriter | undefined;
  try {
    const held: GenerationEvent[] = [];
    let pending: Promise<IteratorResult<GenerationEvent>> | undefined = iterator.next();
    if (options.starter) {
      const deadline = Date.now() + ctx.headersDelayMs;
      for (;;) {
        const next: IteratorResult<GenerationEvent> | typeof TIMEOUT = await within(pending, deadline - Date.now());
        if (next === TIMEOUT) break;
        pending = undefined;
        if (next.done) break;
        const event = next.value;
        if (event.type === 'error') {
          // Nothing was streamed yet: answer with the status this failure deserves.
          recordGenerationEvent(ctx, meter, event);
          const facts = JSON.parse(event.data) as FailureFacts;
          sendHttpError(res, failureToHttp(facts), { 'x-generation-id': options.id });
          outcome = 'error';
          return;
        }
        held.push(event);
        if (decides(event)) break;
        pending = iterator.next();
      }
    }
    writer = new SseWriter(res, { heartbeatMs: ctx.heartbeatMs, headers: { 'x-generation-id': options.id } });
    for (const event of held) {
      if (options.starter) recordGenerationEvent(ctx, meter, event);
      await writer.send(event.id, event.type, event.data);
    }
    for (;;) {
      const next: IteratorResult<GenerationEvent> = await (pending ?? iterator.next());
      pending = undefined;
      if (next.done) break;
      const event = next.value;
      if (options.starter) recordGenerationEvent(ctx, meter, event);
      const full = writer.send(event.id, event.type, event.data);
      if (full !== undefined) await full;
    }
  } catch (error) {
    if (!abort.disconnected()) {
      outcome = 'error';
      call.log.error({ err: error, generation: options.id }, 'forwarding a generation failed');
      if (!res.headersSent) throw error;
    }
  } finally {
    if (abort.disconnected()) outcome = 'disconnected';
    writer?.end();
    abort.release();
    await iterator.return?.();
    streamFinished(ctx, meter, outcome);
  }
}
