/**
 * POST /api/chat (start a generation and stream it as SSE), GET /api/generations/:id/events (attach,
 * replaying after Last-Event-ID) and POST /api/generations/:id/cancel. A generation is visible only to
 * the API key that started it: any other key gets the same 404 as an unknown id.
 */
import type { GenerationInfo } from '../registry/types.js';
import { buildInferenceRequest } from '../http/build-request.js';
import { HttpError, notFound, sendJson } from '../http/http-error.js';
import { toHttpError } from '../http/map-library-error.js';
import { readJsonBody } from '../http/read-json-body.js';
import { toChatMessages } from '../http/content-parts.js';
import { chatSchema, parseBody } from '../http/request-schemas.js';
import { serverToolDefinitions, toolDefinitions } from '../server-tools.js';
import { forwardGeneration } from './forward-generation.js';
import type { RouteCall } from './route-call.js';

const MAX_ID_LENGTH = 200;
const NOT_FOUND = 'No such generation for this API key or share token.';

export async function chat(call: RouteCall): Promise<void> {
  const { ctx } = call;
  const body = parseBody(chatSchema, await readJsonBody(call.req, ctx.limits));
  // Tools the request declares are the caller's to run; otherwise the server offers (and runs) its own.
  const serverTools = body.tools === undefined ? ctx.serverTools : undefined;
  const built = buildInferenceRequest(
    {
      ...body,
      messages: toChatMessages(body.messages),
      toolChoice: body.toolChoice,
      tools: serverTools === undefined ? toolDefinitions(body.tools ?? []) : serverToolDefinitions(serverTools),
    },
    ctx,
  );
  const { generations } = ctx;
  let info: GenerationInfo;
  try {
    info = await generations.start({
      request: built.request,
      model: built.model,
      ownerKeyHash: call.keyHash,
      detached: body.detached ?? false,
      serverTools,
    });
  } catch (error) {
    throw toHttpError(error);
  }
  call.log.info(
    {
      generation: info.id,
      model: built.model,
      messages: body.messages.length,
      promptChars: built.promptChars,
      ...(ctx.logPrompts ? { messagesText: body.messages, system: body.system } : {}),
    },
    'chat started',
  );
  await forwardGeneration(call, { route: 'chat', id: info.id, afterId: undefined, starter: true });
}

/** The generation, when the caller's key owns it (or, where allowed, a valid share token names it). */
async function ownedGeneration(call: RouteCall, allowShare = false): Promise<GenerationInfo> {
  const id = call.params.id ?? '';
  if (id === '' || id.length > MAX_ID_LENGTH) throw notFound(NOT_FOUND);
  const share = allowShare ? call.query.share : undefined;
  const info = await call.ctx.generations.get(id);
  // Same answer for "unknown", "someone else's" and a bad token: ids must not be probeable.
  if (info === undefined) throw notFound(NOT_FOUND);
  const allowed = share === undefined ? info.ownerKeyHash === call.keyHash : call.ctx.shareTokens.verify(id, share);
  if (!allowed) throw notFound(NOT_FOUND);
  return info;
}

export async function generationEvents(call: RouteCall): Promise<void> {
  const info = await ownedGeneration(call, true);
  const header = call.req.headers['last-event-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const afterId = (fromHeader ?? call.query.lastEventId ?? '').trim() || undefined;
  if (afterId !== undefined && (afterId.length > MAX_ID_LENGTH || /[\r\n]/.test(afterId))) {
    throw new HttpError(400, 'invalid_request', 'Last-Event-ID is not an event id.', {
      field: 'Last-Event-ID',
      fix: 'Send the id of the last event you received (the `id:` line), or none to replay from the start.',
    });
  }
  await forwardGeneration(call, { route: 'generation-events', id: info.id, afterId, starter: false });
}

export async function cancelGeneration(call: RouteCall): Promise<void> {
  const info = await ownedGeneration(call);
  await call.ctx.generations.cancel(info.id);
  call.log.info({ generation: info.id }, 'generation cancelled');
  sendJson(call.res, 202, { id: info.id, status: 'cancelling' });
}

/** Lets others watch a generation without the owner's key: a token for `.../events?share=<token>`. */
export async function shareGeneration(call: RouteCall): Promise<void> {
  const info = await ownedGeneration(call);
  const token = call.ctx.shareTokens.create(info.id);
  sendJson(call.res, 200, {
    id: info.id,
    share: token,
    eventsPath: `/api/generations/${encodeURIComponent(info.id)}/events?share=${token}`,
  });
}
