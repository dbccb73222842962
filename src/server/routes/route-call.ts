/** What every route handler receives: the server context, the request/response and the caller's identity. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ServerContext } from '../server-options.js';

export interface RouteCall {
  ctx: ServerContext;
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string | undefined>;
  query: Record<string, string>;
  /** SHA-256 of the caller's API key; null when keys are off. */
  keyHash: string | null;
  log: Logger;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

export type RouteHandler = (call: RouteCall) => Promise<void> | void;

/**
 * An AbortController that fires when the client goes away before the response finished, and that
 * shutdown can reach; `release()` detaches it once the stream is over.
 */
export function clientAbort(call: RouteCall): {
  signal: AbortSignal;
  disconnected: () => boolean;
  release: () => void;
} {
  const controller = new AbortController();
  let gone = false;
  const onClose = () => {
    if (call.res.writableFinished) return;
    gone = true;
    controller.abort();
  };
  call.res.on('close', onClose);
  call.ctx.inflight.add(controller);
  return {
    signal: controller.signal,
    disconnected: () => gone,
    release: () => {
      call.res.off('close', onClose);
      call.ctx.inflight.delete(controller);
    },
  };
}
