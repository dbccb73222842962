/**
 * Per-stream metric bookkeeping shared by the streaming routes: active streams, time to first token,
 * tokens, retries, errors and disconnects. Touches metrics per event type, never per byte.
 */
import { performance } from 'node:perf_hooks';
import { BedrockInferenceError, RetryError, type StreamEvent } from '../../index.js';
import type { GenerationEvent } from '../registry/types.js';
import type { ServerContext } from '../server-options.js';

export interface StreamMeter {
  route: string;
  startedAt: number;
  firstToken: boolean;
}

export function streamStarted(ctx: ServerContext, route: string, startedAt: number): StreamMeter {
  ctx.metrics.activeStreams.inc({ route });
  return { route, startedAt, firstToken: false };
}

function firstToken(ctx: ServerContext, meter: StreamMeter): void {
  meter.firstToken = true;
  ctx.metrics.timeToFirstToken.observe({ route: meter.route }, (performance.now() - meter.startedAt) / 1000);
}

/** For streams read straight from the library (stream-completion, OpenAI routes). */
export function recordStreamEvent(ctx: ServerContext, meter: StreamMeter, event: StreamEvent): void {
  switch (event.type) {
    case 'text':
    case 'reasoning':
      if (!meter.firstToken) firstToken(ctx, meter);
      return;
    case 'usage':
      ctx.metrics.tokens.inc({ kind: 'input' }, event.inputTokens);
      ctx.metrics.tokens.inc({ kind: 'output' }, event.outputTokens);
      return;
    case 'retry':
      ctx.metrics.retries.inc();
      return;
    default:
      return;
  }
}

/** For generation events (SSE); only the starting request counts tokens, so viewers do not double them. */
export function recordGenerationEvent(ctx: ServerContext, meter: StreamMeter, event: GenerationEvent): void {
  switch (event.type) {
    case 'text':
    case 'reasoning':
      if (!meter.firstToken) firstToken(ctx, meter);
      return;
    case 'usage': {
      const usage = JSON.parse(event.data) as { inputTokens?: number; outputTokens?: number };
      ctx.metrics.tokens.inc({ kind: 'input' }, usage.inputTokens ?? 0);
      ctx.metrics.tokens.inc({ kind: 'output' }, usage.outputTokens ?? 0);
      return;
    }
    case 'retry':
      ctx.metrics.retries.inc();
      return;
    case 'error': {
      const data = JSON.parse(event.data) as { type?: string };
      ctx.metrics.errors.inc({ type: data.type ?? 'unknown' });
      return;
    }
    default:
      return;
  }
}

export function errorType(error: unknown): string {
  if (error instanceof RetryError) return error.lastError.name;
  return BedrockInferenceError.isInstance(error) ? error.name : 'InternalError';
}

export function streamFinished(
  ctx: ServerContext,
  meter: StreamMeter,
  outcome: 'done' | 'disconnected' | 'error',
): void {
  ctx.metrics.activeStreams.dec({ route: meter.route });
  if (outcome === 'disconnected') ctx.metrics.disconnects.inc({ route: meter.route });
}
