/**
 * `aws-bedrock-inference/browser`: a small, framework-free client for the streaming server's HTTP API,
 * for browsers (any bundler) and Node 18+ (global fetch). It knows only the server's public contract
 * (docs/server.md); docs/browser-client.md describes it.
 */
export { streamChat, type StreamChatOptions } from './stream-chat.js';
export {
  watch,
  cancel,
  share,
  listModels,
  type WatchOptions,
  type ShareLink,
  type ModelList,
  type StreamingProfile,
} from './generations.js';
export type { ChatStream, StreamOptions } from './chat-stream.js';
export type { ReconnectOptions } from './reconnect.js';
export type { ClientOptions } from './http.js';
export { ChatHttpError } from './errors.js';
export {
  initialChatState,
  isTerminal,
  nextChatState,
  type ChatPhase,
  type ChatState,
  type ChatStateInput,
} from './chat-state.js';
export {
  streamCharacteristics,
  cumulativeOutput,
  chunkGaps,
  ChunkRecorder,
  type ChunkArrival,
  type OutputPoint,
  type Spread,
  type StreamCharacteristics,
} from './stream-characteristics.js';
export {
  isTerminalEvent,
  type ChatEvent,
  type ChatMessage,
  type ChatSnapshot,
  type ContentPart,
  type DoneEvent,
  type GuardrailNotice,
  type ToolCallState,
  type ToolChoice,
  type ToolDefinition,
  type DoneMetrics,
  type ErrorEvent,
  type TerminalEvent,
  type Usage,
} from './chat-events.js';
