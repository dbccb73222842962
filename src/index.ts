export * from './errors.js';
export type * from './client/stream-event.js';
export type { ModelFamily, ChatMessage, NormalizedRequest } from './models/types.js';
