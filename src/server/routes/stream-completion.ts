/**
 * POST /api/stream-completion: the answer as a plain `text/plain` chunked body, exactly what
 * `fetch` + `response.body.getReader()` + `TextDecoder` expects. Failures before the first byte are
 * HTTP statuses; after it the connection is cut (the reader rejects) since plain text has no error frame.
 */
import { buildInferenceRequest } from '../http/build-request.js';
import { readJsonBody } from '../http/read-json-body.js';
import { parseBody, streamCompletionSchema } from '../http/request-schemas.js';
import { drained } from '../http/sse-writer.js';
import { clientAbort, type RouteCall } from './route-call.js';
import { errorType, recordStreamEvent, streamFinished, streamStarted } from './stream-metrics.js';

const ROUTE = 'stream-completion';

export async function streamCompletion(call: RouteCall): Promise<void> {
  const { ctx, res } = call;
  const body = parseBody(streamCompletionSchema, await readJsonBody(call.req, ctx.limits));
  const built = buildInferenceRequest(body, ctx);
  call.log.info(
    { model: built.model, promptChars: built.promptChars, ...(ctx.logPrompts ? { prompt: body.prompt } : {}) },
    'stream-completion',
  );
  const abort = clientAbort(call);
  built.request.signal = abort.signal;
  const meter = streamStarted(ctx, ROUTE, call.startedAt);
  let outcome: 'done' | 'disconnected' | 'error' = 'error';
  try {
    const stream = ctx.client.invokeStream(built.request);
    let headersSent = false;
    for await (const event of stream.events()) {
      recordStreamEvent(ctx, meter, event);
      if (event.type !== 'text') continue;
      if (!headersSent) {
        res.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
          'x-content-type-options': 'nosniff',
        });
        headersSent = true;
      }
      if (!res.write(event.delta)) await drained(res);
    }
    if (!headersSent) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
    res.end();
    outcome = 'done';
  } catch (error) {
    if (abort.disconnected()) outcome = 'disconnected';
    else if (res.headersSent) {
      ctx.metrics.errors.inc({ type: errorType(error) });
      call.log.warn({ err: error }, 'stream-completion failed mid-stream; cutting the connection');
      // End the socket after what was written is flushed, without the final chunk: the reader rejects.
      // Node 24 may still hold the headers and text in the response (not yet on the socket): an empty
      // write's callback runs once they are handed to the socket (capped: a reader that stopped reading).
      await new Promise<void>((resolve) => {
        setTimeout(resolve, 5_000).unref();
        res.write('', () => resolve());
      });
      if (res.socket !== null) res.socket.end();
      else res.destroy();
    } else throw error; // before the first byte: the app maps it to a status
  } finally {
    abort.release();
    streamFinished(ctx, meter, outcome);
  }
}
