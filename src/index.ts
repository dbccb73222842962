export * from './errors.js';
export { assertNever } from './client/stream-event.js';
export type * from './client/stream-event.js';
export type * from './client/types.js';
export type { ModelFamily, ChatMessage, NormalizedRequest } from './models/types.js';
export { BedrockStreamingClient } from './client/bedrock-streaming-client.js';
