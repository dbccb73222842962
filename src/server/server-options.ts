/**
 * The server's options and their resolved form (the context every route receives). Defaults are
 * safe: limits on, heartbeats every 15 s, no prompt text in logs, keys and CORS off until configured.
 */
import pino, { type Logger } from 'pino';
import {
  BedrockStreamingClient,
  type BedrockStreamingClientOptions,
  type GuardrailConfig,
  type InferenceRequest,
} from '../index.js';
import { GenerationService } from './generations/generation-service.js';
import { createRegistry } from './registry/index.js';
import type { GenerationEvent, GenerationInfo, GenerationRegistry } from './registry/types.js';
import { createApiKeyCheck, type ApiKeyCheck } from './http/api-keys.js';
import { createShareTokens, type ShareTokens } from './http/share-tokens.js';
import { createKeyLimiter, type KeyLimiter, type PerKeyLimits } from './http/key-limits.js';
import { createCorsPolicy, type CorsOptions, type CorsPolicy } from './http/cors.js';
import { createRequestGuards, type RequestGuards } from './http/request-guards.js';
import { measureQuota } from './measured-quota.js';
import { withSafeErrors } from './log-safe-errors.js';
import { loadPageAssets, type PageAssets } from './page/page-assets.js';
import { DEFAULT_MODELS, type ServerModel } from './model-list.js';
import { createServerMetrics, type ServerMetrics } from './server-metrics.js';
import { checkServerTools, type ServerTools } from './server-tools.js';

/** What the HTTP layer needs from GenerationService (src/server/generations). */
export interface GenerationPort {
  start(params: {
    request: InferenceRequest;
    model: string;
    ownerKeyHash: string | null;
    detached: boolean;
    /** Run these tools on the server when the model calls them (multi-step), streaming calls and results. */
    serverTools?: ServerTools | undefined;
  }): Promise<GenerationInfo>;
  events(id: string, afterId: string | undefined, signal: AbortSignal): AsyncIterable<GenerationEvent>;
  cancel(id: string): Promise<void>;
  get(id: string): Promise<GenerationInfo | undefined>;
  shutdown(): Promise<void>;
}

export interface ServerLimits {
  /** Largest request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Most characters of prompt, messages and system together (default 200 000). */
  maxPromptChars?: number;
  /** Most chat messages in one request (default 500). */
  maxMessages?: number;
  /** Highest maxTokens a caller may ask for (default 32 000). */
  maxOutputTokens?: number;
  /** Per API key (or client address when keys are off): requests per minute and open streams. */
  perKey?: PerKeyLimits;
  /** How long a request body may take to arrive, ms (default 10 000); slower bodies get a 408. */
  bodyTimeoutMs?: number;
  /** Most model calls in one /api/chat answer that uses the server's tools (default 5). */
  maxToolSteps?: number;
}

export interface ServerOptions {
  /** The library client to stream with; by default one is built from `clientOptions` (its quota limiter is measured). */
  client?: BedrockStreamingClient;
  clientOptions?: BedrockStreamingClientOptions;
  /** Runs /api/chat generations (ids, replay, viewers); by default an in-memory or Redis-backed one. */
  generations?: GenerationPort;
  /** Redis for the generation registry (scale out); default REDIS_URL, else memory. */
  redisUrl?: string;
  /** Redis key and channel prefix for the generation registry (default `bedrock-inference:`). */
  redisKeyPrefix?: string;
  /**
   * How long a non-detached generation survives its last viewer leaving, ms (default 3 000), so a
   * browser that reconnects at once finds it still running.
   */
  disconnectGraceMs?: number;
  /** Finished generations kept in memory for replay, at most (default 1 000; the oldest go first). */
  maxFinishedGenerations?: number;
  /** The model used when a request names none. */
  defaultModel?: string;
  /** Listed by GET /api/models and GET /v1/models (requests may still name any model the library knows). */
  models?: readonly ServerModel[];
  /** Bearer keys; when empty or absent the API is open. */
  apiKeys?: readonly string[];
  /** Signs share tokens; servers sharing Redis need the same one (default: random per process). */
  shareSecret?: string;
  /** Origins allowed to call from browsers (`*` for any). */
  cors?: CorsOptions | readonly string[];
  /**
   * Host names (or `host:port`) this server answers as besides the address it listens on; checked
   * only when API keys are off, against DNS rebinding.
   */
  allowedHosts?: readonly string[];
  limits?: ServerLimits;
  /** `: ping` comment after this much SSE silence, ms (default 15 000; 0 = off). */
  heartbeatMs?: number;
  /**
   * How long /api/chat may hold its response headers waiting for the outcome of the first upstream
   * call (so a pre-stream failure can still be a 4xx/5xx status), ms (default 2 000).
   */
  headersDelayMs?: number;
  /** pino logger, or false for none (default: pino at info). */
  logger?: Logger | false;
  /** Log prompt text (default false: only sizes are logged). */
  logPrompts?: boolean;
  /**
   * Tools this server runs for /api/chat: the model may call them, the server runs them and sends the
   * results back (multi-step), and the stream shows each call and result. A request that declares its
   * own `tools` gets those instead (their calls end the answer for the caller to run). The shape is the
   * library's `client.runTools` one: `{ get_weather: { description, inputSchema, execute(input, { signal }) } }`.
   */
  tools?: ServerTools;
  /** A Bedrock guardrail applied to every /api/chat and /v1/chat/completions request (callers cannot change it). */
  guardrail?: GuardrailConfig;
  /**
   * Serve the chat page at `/` (built into dist/web by `npm run build`): true, or `{ dir }` for the
   * built files elsewhere. Default off for the handler and middleware; `bedrock-inference serve` turns it on.
   */
  page?: boolean | { dir: string };
}

export interface ResolvedLimits {
  maxBodyBytes: number;
  maxPromptChars: number;
  maxMessages: number;
  maxOutputTokens: number;
  bodyTimeoutMs: number;
  maxToolSteps: number;
}

export interface ServerContext {
  client: BedrockStreamingClient;
  ownsClient: boolean;
  generations: GenerationPort;
  /** The registry this server created (closed on shutdown); undefined when `generations` was given. */
  ownedRegistry: GenerationRegistry | undefined;
  defaultModel: string;
  models: readonly ServerModel[];
  auth: ApiKeyCheck;
  shareTokens: ShareTokens;
  cors: CorsPolicy;
  /** Host (DNS rebinding) and Origin (cross-site request) checks. */
  guards: RequestGuards;
  limits: ResolvedLimits;
  keyLimiter: KeyLimiter;
  heartbeatMs: number;
  headersDelayMs: number;
  logger: Logger;
  logPrompts: boolean;
  serverTools: ServerTools | undefined;
  guardrail: GuardrailConfig | undefined;
  metrics: ServerMetrics;
  /** Set when shutting down: new requests get 503. */
  closing: boolean;
  /** Aborts for the direct (non-generation) streams in flight, so shutdown can close them. */
  inflight: Set<AbortController>;
  /** The chat page's files, when the page is served. */
  page: PageAssets | undefined;
}

export const DEFAULT_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

/** Paths pino must never print, whatever a caller logs by mistake. */
const REDACT = [
  'req.headers.authorization',
  'headers.authorization',
  'credentials',
  '*.credentials',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
];

export function resolveServerOptions(options: ServerOptions): ServerContext {
  const logger = withSafeErrors(
    options.logger === false
      ? pino({ level: 'silent' })
      : (options.logger ?? pino({ name: 'bedrock-inference-server', redact: REDACT })),
    options.logPrompts ?? false,
  );
  const metrics = createServerMetrics();
  const clientOptions = options.clientOptions ?? {};
  const client =
    options.client ??
    new BedrockStreamingClient(
      clientOptions.quota === undefined
        ? clientOptions
        : { ...clientOptions, quota: measureQuota(clientOptions.quota, metrics) },
    );
  const limits = options.limits ?? {};
  const ownedRegistry =
    options.generations === undefined
      ? createRegistry({
          redisUrl: options.redisUrl,
          keyPrefix: options.redisKeyPrefix,
          maxFinished: options.maxFinishedGenerations,
        })
      : undefined;
  const generations =
    options.generations ??
    new GenerationService({
      registry: ownedRegistry!,
      client,
      maxToolSteps: limits.maxToolSteps ?? 5,
      logger,
      disconnectGraceMs: options.disconnectGraceMs ?? 3_000,
    });
  const auth = createApiKeyCheck(options.apiKeys);
  const cors = createCorsPolicy(options.cors);
  return {
    client,
    ownsClient: options.client === undefined,
    generations,
    ownedRegistry,
    defaultModel: options.defaultModel ?? options.clientOptions?.modelId ?? DEFAULT_MODEL,
    models: options.models ?? DEFAULT_MODELS,
    auth,
    shareTokens: createShareTokens(options.shareSecret),
    cors,
    guards: createRequestGuards({
      apiKeysOn: auth.enabled,
      allowedHosts: options.allowedHosts ?? [],
      allowsOrigin: (origin) => cors.allows(origin),
    }),
    keyLimiter: createKeyLimiter(limits.perKey),
    limits: {
      maxBodyBytes: limits.maxBodyBytes ?? 1024 * 1024,
      maxPromptChars: limits.maxPromptChars ?? 200_000,
      maxMessages: limits.maxMessages ?? 500,
      maxOutputTokens: limits.maxOutputTokens ?? 32_000,
      bodyTimeoutMs: limits.bodyTimeoutMs ?? 10_000,
      maxToolSteps: limits.maxToolSteps ?? 5,
    },
    heartbeatMs: options.heartbeatMs ?? 15_000,
    headersDelayMs: options.headersDelayMs ?? 2_000,
    logger,
    logPrompts: options.logPrompts ?? false,
    serverTools: checkServerTools(options.tools),
    guardrail: options.guardrail,
    metrics,
    closing: false,
    inflight: new Set(),
    page:
      options.page === undefined || options.page === false
        ? undefined
        : loadPageAssets(options.page === true ? undefined : options.page.dir),
  };
}
