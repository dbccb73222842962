/**
 * `amazon-bedrock-invocationMetrics`, the one key every InvokeModel family shares (bedrock-wire.md §4): it
 * rides on the last chunk (Nova: beside `metadata`; AI21: a trailing chunk of its own).
 */
import type { ChunkEventSink } from './types.js';

export const INVOCATION_METRICS = 'amazon-bedrock-invocationMetrics';

interface InvocationMetrics {
  inputTokenCount?: number;
  outputTokenCount?: number;
  invocationLatency?: number;
  firstByteLatency?: number;
}

/**
 * Emits usage and metrics from the chunk's invocation metrics. Returns false (emitting nothing) when the
 * chunk has none, so the caller can fall back to the family's own counters.
 */
export function emitInvocationMetrics(chunk: Record<string, unknown>, emit: ChunkEventSink): boolean {
  const metrics = chunk[INVOCATION_METRICS] as InvocationMetrics | undefined;
  if (metrics === undefined || metrics === null) return false;
  emit({
    type: 'usage',
    inputTokens: metrics.inputTokenCount ?? 0,
    outputTokens: metrics.outputTokenCount ?? 0,
    source: 'bedrock',
  });
  emitLatency(emit, metrics.firstByteLatency, metrics.invocationLatency);
  return true;
}

export function emitLatency(
  emit: ChunkEventSink,
  firstByteLatencyMs: number | undefined,
  invocationLatencyMs: number | undefined,
): void {
  if (typeof firstByteLatencyMs === 'number' && typeof invocationLatencyMs === 'number') {
    emit({ type: 'metrics', firstByteLatencyMs, invocationLatencyMs });
  } else if (typeof invocationLatencyMs === 'number') {
    emit({ type: 'metrics', invocationLatencyMs });
  } else if (typeof firstByteLatencyMs === 'number') {
    emit({ type: 'metrics', firstByteLatencyMs });
  }
}

/** Usage from a family's own counters (used when Bedrock's metrics are absent). */
export function emitFamilyUsage(
  emit: ChunkEventSink,
  inputTokens: number | undefined,
  outputTokens: number | undefined,
): void {
  if (inputTokens === undefined && outputTokens === undefined) return;
  emit({ type: 'usage', inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, source: 'bedrock' });
}
