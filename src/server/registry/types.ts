/**
 * The generation log and viewer fan-out, behind one interface: an in-memory default and a Redis
 * Streams backend (REDIS_URL) so viewers on one server process can follow a generation running on
 * another, and a browser that reconnects anywhere resumes without loss.
 *
 * Event ids are strings that sort in append order within a generation ("1", "2", ... in memory; Redis
 * stream ids in Redis); a viewer passes the last id it saw (SSE `Last-Event-ID`) and gets exactly what
 * followed, then the live tail, ending after the terminal event (`done`, `error` or `cancelled`).
 */

export type GenerationEventType =
  | 'start'
  | 'text'
  | 'reasoning'
  | 'usage'
  | 'retry'
  | 'tool-call-start'
  | 'tool-call-delta'
  | 'tool-call'
  | 'tool-result'
  | 'step'
  | 'guardrail'
  | 'error'
  | 'done'
  | 'cancelled';

export interface GenerationEvent {
  id: string;
  type: GenerationEventType;
  /** The event's JSON payload exactly as it is sent to clients (serialised once, at append). */
  data: string;
}

export type GenerationStatus = 'running' | 'done' | 'error' | 'cancelled';

export interface GenerationInfo {
  id: string;
  model: string;
  /** Hash of the API key that started it; viewers need the same key or the generation's share token. */
  ownerKeyHash: string | null;
  /** Started detached: keeps running when the starting client goes away. */
  detached: boolean;
  status: GenerationStatus;
  createdAt: number;
}

export interface GenerationRegistry {
  /** Registers a new generation (status running). */
  create(info: Omit<GenerationInfo, 'status' | 'createdAt'>): Promise<GenerationInfo>;
  get(id: string): Promise<GenerationInfo | undefined>;
  /** Appends one event and returns its id; terminal events also set the status. */
  append(id: string, type: GenerationEventType, data: string): Promise<string>;
  /**
   * Replays the events after `afterId` (all when undefined), then follows live ones; ends after the
   * terminal event or when `signal` aborts. Bounded memory: a slow reader pages from the stored log.
   */
  read(id: string, afterId: string | undefined, signal: AbortSignal): AsyncIterable<GenerationEvent>;
  /** Asks whoever runs the generation (this process or another) to stop it. */
  requestCancel(id: string): Promise<void>;
  /** Called in the process running the generation when any process requested a cancel. */
  onCancelRequested(id: string, listener: () => void): () => void;
  /** Marks a viewer attached; the returned function detaches it. Counts span processes. */
  attachViewer(id: string): Promise<() => Promise<void>>;
  viewerCount(id: string): Promise<number>;
  close(): Promise<void>;
}
