/** GET /healthz, GET /metrics, GET /api/models and GET /v1/models: small JSON/text answers. */
import { listSupportedFamilies } from '../../index.js';
import { sendJson } from '../http/http-error.js';
import { FAMILY_PROFILES } from '../model-list.js';
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

/** OpenAI's model list shape, so OpenAI clients and tools can discover what to ask for. */
export function openaiModels({ ctx, res }: RouteCall): void {
  sendJson(res, 200, {
    object: 'list',
    data: ctx.models.map((model) => ({
      id: model.id,
      object: 'model',
      created: 0,
      owned_by: model.id.split('.').at(-2) ?? 'aws',
    })),
  });
}
