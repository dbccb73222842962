/** aws-bedrock-inference: the streaming client, its error hierarchy and its public types. */
export { BedrockStreamingClient } from './client/bedrock-streaming-client.js';
export * from './errors.js';
export { assertNever } from './client/stream-event.js';
export type * from './client/stream-event.js';
export type * from './client/types.js';
export type { ModelFamily, ChatMessage, NormalizedRequest } from './models/types.js';
export type * from './models/content.js';
export { MEDIA_LIMITS } from './models/media-parts.js';
export { listSupportedFamilies } from './models/registry.js';
export { DEFAULT_RETRY_POLICY } from './client/retry.js';
export {
  DEFAULT_MAX_STEPS,
  type RunToolsRequest,
  type RunnableTool,
  type StepFinishEvent,
  type StepStartEvent,
  type ToolExecutionContext,
  type ToolResultEvent,
  type ToolRun,
  type ToolRunEvent,
  type ToolRunResult,
  type ToolRunStep,
} from './client/tool-runner.js';
export { DEFAULT_TIMEOUTS } from './client/timeouts.js';
export { DEFAULT_MAX_TOKENS } from './client/request.js';
export { bedrockBurndown, createQuotaLimiter, type QuotaLimiterOptions } from './client/quota-limiter.js';
export {
  estimateInputTokens,
  resolveQuotaKey,
  type BedrockQuotaLimiter,
  type FleetQuotaReservation,
  type ModelQuotaSnapshot,
  type QuotaSnapshot,
} from './quota/index.js';
