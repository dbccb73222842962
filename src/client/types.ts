/**
 * The public shapes of BedrockStreamingClient: options, requests, results and the InferenceStream.
 * The server, the CLI and the examples code against these; src/client implements them.
 */
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { BedrockInferenceError } from '../errors.js';
import type { CachePoints, GuardrailConfig, ServiceOptions, ToolChoice, ToolDefinition } from '../models/content.js';
import type { ChatMessage, ModelFamily } from '../models/types.js';
import type { GuardrailEvent, StopReason, StreamEvent } from './stream-event.js';

export interface RetryPolicy {
  /** Attempts in all, the first included (default AWS_MAX_ATTEMPTS, else 3). */
  maxAttempts?: number;
  /** First backoff ceiling in ms (default 250); doubles each attempt, full jitter. */
  baseDelayMs?: number;
  /** Backoff ceiling in ms (default 8000); a longer Retry-After is capped here too. */
  maxDelayMs?: number;
  /**
   * `adaptive` keeps the SDK's client-side rate limiter (it slows sending after throttles) in our own
   * client's pipeline; `standard` (default) and `legacy` need nothing of the SDK. Default: AWS_RETRY_MODE.
   */
  mode?: 'standard' | 'adaptive' | 'legacy';
}

export interface TimeoutPolicy {
  /** From sending the request to the first content chunk (default 60 000 ms). */
  firstChunkMs?: number;
  /** Longest silence between chunks once streaming (default 30 000 ms). */
  betweenChunksMs?: number;
  /** The whole call, retries and resumes included (default 10 minutes). */
  totalMs?: number;
}

/** Re-chunk text for consumers that want fewer, more coherent updates. */
export type ChunkingMode = 'none' | 'word' | 'sentence' | 'line' | { intervalMs: number };

/** How the client the library builds for itself connects (ignored with a caller's `client`). */
export interface ConnectionOptions {
  /** TLS options for https:// endpoints: `ca` for a private CA, a client `cert`/`key`, ... */
  tls?: TlsConnectionOptions;
  /**
   * An http:// proxy to tunnel through (CONNECT). `true` takes `HTTPS_PROXY`/`https_proxy` (honouring
   * `NO_PROXY`); by default no proxy is used, as with the AWS SDK.
   */
  proxy?: string | boolean;
  /** A pooled connection idle this long is PINGed before reuse (default 5000 ms). */
  pingAfterIdleMs?: number;
  /** How long that PING may take before the connection is replaced (default 3000 ms). */
  pingTimeoutMs?: number;
  /** A connection without requests for this long is closed (default 60000 ms). */
  idleTimeoutMs?: number;
}

export interface BedrockStreamingClientOptions {
  modelId?: string;
  /**
   * Signing region. Default: the SDK's region chain (AWS_REGION, the profile in ~/.aws/config, ...);
   * with a custom `endpoint` and nothing configured, us-east-1.
   */
  region?: string;
  /** Bedrock endpoint override, e.g. the local emulator's URL. */
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** A named profile from the shared AWS config files. */
  profile?: string;
  /** A Bedrock API key (sent as `Authorization: Bearer`); AWS_BEARER_TOKEN_BEDROCK works as well. */
  token?: string;
  connection?: ConnectionOptions;
  /** Use an existing SDK client (its own retry settings then stay as they are). */
  client?: BedrockRuntimeClient;
  /** Family for ids that do not name one (application inference profiles, provisioned ARNs). */
  family?: ModelFamily;
  retry?: RetryPolicy;
  timeouts?: TimeoutPolicy;
  /** Continue an interrupted answer instead of failing (default false). */
  resume?: boolean | { maxResumes?: number };
  chunking?: ChunkingMode;
  /** Waits for the model's TPM/RPM budget before each call: `createQuotaLimiter()`, or your own. */
  quota?: QuotaLimiter;
}

/** The limiter seam: acquire before sending, settle with the real usage after. */
export interface QuotaLimiter {
  acquire(
    request: { modelId: string; estimatedInputTokens: number; maxTokens: number },
    signal?: AbortSignal,
  ): Promise<QuotaReservation>;
}

export interface QuotaReservation {
  /**
   * The call's usage as Bedrock counted it: `inputTokens` excludes the prompt-cache tokens, reported
   * apart. Bedrock's quota counts input + cache writes + output x burndown, never cache reads.
   */
  settle(usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadInputTokens?: number;
    cacheWriteInputTokens?: number;
  }): void;
  /** The call failed; `error` tells a limiter whether Bedrock throttled it. */
  release(error?: unknown): void;
  /** Optional: Bedrock throttled an attempt; answers the ms the retry should wait at least. */
  throttled?(): Promise<number>;
}

export interface InferenceRequest extends ServiceOptions {
  prompt?: string;
  messages?: readonly ChatMessage[];
  system?: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: readonly string[];
  signal?: AbortSignal;
  modelId?: string;
  /** `converse` works for any model; `invoke` (default) uses the family's native format. */
  api?: 'invoke' | 'converse';
  /** Stream the model's reasoning where it can think (Claude thinking budget). */
  reasoning?: { budgetTokens: number };
  /** Family-specific body fields (invoke) or additionalModelRequestFields (converse). */
  additionalFields?: Record<string, unknown>;
  resume?: BedrockStreamingClientOptions['resume'];
  timeouts?: TimeoutPolicy;
  chunking?: ChunkingMode;
  /** Tools the model may call; their calls stream as tool-call events and end with stop reason `tool_use`. */
  tools?: readonly ToolDefinition[];
  toolChoice?: ToolChoice;
  guardrail?: GuardrailConfig;
  cachePoints?: CachePoints;
}

/** A tool call the model made, its input parsed. */
export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface InferenceUsage {
  /** Input tokens at the full rate; with prompt caching, the cached prefix is counted in the two below. */
  inputTokens: number;
  outputTokens: number;
  source: 'bedrock' | 'estimated';
  /** Prompt tokens read from Bedrock's cache (cheaper, and not counted against the TPM quota). */
  cacheReadInputTokens?: number;
  /** Prompt tokens written to Bedrock's cache (counted against the quota like input). */
  cacheWriteInputTokens?: number;
}

export interface InferenceMetrics {
  /** From sending the request to the first text or reasoning delta, in ms. */
  timeToFirstTokenMs: number | null;
  totalTimeMs: number;
  chunkCount: number;
  outputTokensPerSecond: number | null;
  /** Bedrock's own figures, when it reported them. */
  firstByteLatencyMs: number | null;
  invocationLatencyMs: number | null;
}

export interface InferenceResult {
  text: string;
  reasoning: string;
  stopReason: StopReason;
  rawStopReason: string | null;
  usage: InferenceUsage;
  /** Output tokens: Bedrock's count when reported, else an estimate from the text. */
  estimatedTokens: number;
  metrics: InferenceMetrics;
  modelId: string;
  requestId: string | undefined;
  attempts: number;
  resumes: number;
  /** The tool calls of this answer, in order (empty when none). */
  toolCalls: ToolCall[];
  /** The last guardrail verdict, when a guardrail was configured and reported one. */
  guardrail?: GuardrailEvent;
}

export interface InferenceStream extends AsyncIterable<string> {
  /** Typed events: text, reasoning, usage, stop, metrics, retry, resume, guardrail, tool calls. Single consumer. */
  events(): AsyncIterableIterator<StreamEvent>;
  /** The text received so far (kept when the stream breaks). */
  readonly text: string;
  readonly reasoning: string;
  /** Resolves with the result when the stream completes; rejects with a BedrockInferenceError. */
  finalResult(): Promise<InferenceResult>;
  /** Closes the upstream request; the stream ends with an AbortError (stopReason `aborted`). */
  abort(reason?: unknown): void;
  readonly signal: AbortSignal;
}

export interface StreamCallbacks {
  onContent?: (delta: string, snapshot: string) => void;
  onReasoning?: (delta: string, snapshot: string) => void;
  onEvent?: (event: StreamEvent) => void;
  /** A complete tool call, its input parsed (the tool-call event; start and fragments go to onEvent). */
  onToolCall?: (call: ToolCall) => void;
  onComplete?: (result: InferenceResult) => void;
  /** When given, errors are reported here and the promise resolves with undefined instead of rejecting. */
  onError?: (error: BedrockInferenceError) => void;
}
