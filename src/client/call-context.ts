/**
 * What one call needs, resolved once by the client (model, adapter, policies, scope, state), and the
 * work around every call whatever its API: quota acquire/settle/release and the telemetry span.
 */
import { AbortError, ThrottlingError, type BedrockInferenceError } from '../errors.js';
import type { ModelAdapter, NormalizedRequest } from '../models/types.js';
import type { ResumePolicy } from './resume.js';
import type { ResolvedRetryPolicy } from './retry.js';
import type { StreamState } from './stream-state.js';
import { startCallSpan, type CallSpan } from './telemetry.js';
import { toAbortError, type CallScope, type ResolvedTimeouts } from './timeouts.js';
import type { ChunkingMode, InferenceResult, QuotaLimiter, QuotaReservation } from './types.js';
import type { BedrockTransport } from './transport/transport.js';
import type { ApiKind } from './upstream.js';

export interface CallContext {
  transport: BedrockTransport;
  modelId: string;
  api: ApiKind;
  adapter: ModelAdapter | undefined;
  request: NormalizedRequest;
  estimatedInputTokens: number;
  retry: ResolvedRetryPolicy;
  timeouts: ResolvedTimeouts;
  resume: ResumePolicy;
  chunking: ChunkingMode | undefined;
  quota: QuotaLimiter | undefined;
  scope: CallScope;
  state: StreamState;
}

export interface CallResources {
  span: CallSpan | undefined;
  reservation: QuotaReservation | undefined;
}

/** Quota and telemetry around a call; shared by the streaming and the unary paths. */
export async function beginCall(ctx: CallContext, streaming: boolean): Promise<CallResources> {
  const span = await startCallSpan('chat', ctx.modelId, ctx.request, streaming);
  if (ctx.scope.aborted) throw toAbortError(ctx.scope.reason, 'The request was aborted');
  const reservation = await ctx.quota?.acquire(
    { modelId: ctx.modelId, estimatedInputTokens: ctx.estimatedInputTokens, maxTokens: ctx.request.maxTokens },
    ctx.scope.signal,
  );
  return { span, reservation };
}

/**
 * Bedrock throttled an attempt that holds quota: the limiter resynchronises its books (a 429 means
 * Bedrock's bucket is emptier than ours) and says how long the retry should wait for Bedrock to refill.
 */
export async function throttledDelay(call: CallResources | undefined, error: BedrockInferenceError): Promise<number> {
  if (!(error instanceof ThrottlingError)) return 0;
  return (await call?.reservation?.throttled?.()) ?? 0;
}

export function finishCall(
  ctx: CallContext,
  call: CallResources | undefined,
  result: InferenceResult | undefined,
  error: BedrockInferenceError | undefined,
): void {
  ctx.scope.dispose();
  if (call === undefined) return;
  if (result !== undefined) {
    // The whole usage: a limiter counts cache writes as Bedrock does, and never cache reads.
    call.reservation?.settle(result.usage);
    call.span?.end(result);
    return;
  }
  call.reservation?.release(error);
  call.span?.fail(error ?? new AbortError('The stream was closed by its consumer.'), ctx.state.attempts);
}
