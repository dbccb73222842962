/**
 * aws-bedrock-inference/server: the streaming HTTP server (chunked text, SSE with replay, OpenAI-
 * compatible routes) as its own process, a plain Node `(req, res)` handler, or Express middleware.
 */
export { createServer, type BedrockServer, type CreateServerOptions } from './create-server.js';
export { createRequestHandler, type BedrockRequestHandler } from './create-request-handler.js';
export { expressMiddleware, type BedrockMiddleware, type NextFunction } from './express-middleware.js';
export {
  DEFAULT_MODEL,
  type GenerationPort,
  type ServerContext,
  type ServerLimits,
  type ServerOptions,
} from './server-options.js';
export { DEFAULT_MODELS, FAMILY_PROFILES, type ServerModel, type StreamingProfile } from './model-list.js';
export { formatSseEvent } from './http/sse-writer.js';
export { hashKey } from './http/api-keys.js';
export type { CorsOptions } from './http/cors.js';
export type { ServerTools } from './server-tools.js';
export type { GenerationEvent, GenerationInfo, GenerationRegistry } from './registry/types.js';
