/** GET /healthz, GET /metrics, GET /api/models and GET /v1/models: small JSON/text answers. */
import { listSupportedFamilies } from '../../index.js';
import { HttpError, sendJson } from '../http/http-error.js';
import { FAMILY_PROFILES, type ServerModel } from '../model-list.js';
import type { RouteCall } from './route-call.js';

export function healthz({ ctx, res }: RouteCall): void {
  sendJson(res, ctx.closing ? 503 : 200, { status: ctx.closing ? 'shutting-down' : 'ok' });
}

export async function metrics({ ctx, res }: RouteCall): Promise<void> {
  const text = await ctx.metrics.registry.metrics();
  res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(text);
}

export function apiModels({ ctx, res }: RouteCall): void {
  sendJson(res, 200, {
    defaultModel: ctx.defaultModel,
    models: ctx.models.map((model) => ({ ...model, streaming: FAMILY_PROFILES[model.family] })),
    families: listSupportedFamilies().map((family) => ({ family, streaming: FAMILY_PROFILES[family] })),
  });
}

function openaiModel(model: ServerModel) {
  return { id: model.id, object: 'model', created: 0, owned_by: model.id.split('.').at(-2) ?? 'aws' };
}

/** OpenAI's model list shape, so OpenAI clients and tools can discover what to ask for. */
export function openaiModels({ ctx, res }: RouteCall): void {
  sendJson(res, 200, { object: 'list', data: ctx.models.map(openaiModel) });
}

/** GET /v1/models/:id, which some OpenAI tools call before using a model. */
export function openaiModelById({ ctx, res, params }: RouteCall): void {
  const model = ctx.models.find((candidate) => candidate.id === params.id);
  if (model === undefined) {
    throw new HttpError(404, 'model_not_found', `The model "${String(params.id).slice(0, 200)}" is not listed here.`, {
      field: 'model',
      fix: 'GET /v1/models lists the models this server offers.',
    });
  }
  sendJson(res, 200, openaiModel(model));
}
