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
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

/** Prompt-cache counts as a family reported them (Claude's message_start usage, Converse's usage). */
export interface CacheCounts {
  read?: number | null | undefined;
  write?: number | null | undefined;
}

/** The usage event's cache fields, only those reported and only when the cache was used. */
export function cacheFields(cache: CacheCounts | undefined): {
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
} {
  // No cache activity (Bedrock's zeros, or nothing said) is reported as no fields, the same on every path.
  if (cache === undefined || !((cache.read ?? 0) > 0 || (cache.write ?? 0) > 0)) return {};
  const fields: { cacheReadInputTokens?: number; cacheWriteInputTokens?: number } = {};
  if (typeof cache.read === 'number') fields.cacheReadInputTokens = cache.read;
  if (typeof cache.write === 'number') fields.cacheWriteInputTokens = cache.write;
  return fields;
}

/**
 * Emits usage and metrics from the chunk's invocation metrics. Returns false (emitting nothing) when the
 * chunk has none, so the caller can fall back to the family's own counters. Cache counts come from the
 * metrics when they carry them, else from the family's own (`cache`).
 */
export function emitInvocationMetrics(
  chunk: Record<string, unknown>,
  emit: ChunkEventSink,
  cache?: CacheCounts,
): boolean {
  const metrics = chunk[INVOCATION_METRICS] as InvocationMetrics | undefined;
  if (metrics === undefined || metrics === null) return false;
  emit({
    type: 'usage',
    inputTokens: metrics.inputTokenCount ?? 0,
    outputTokens: metrics.outputTokenCount ?? 0,
    source: 'bedrock',
    ...cacheFields({
      read: metrics.cacheReadInputTokenCount ?? cache?.read,
      write: metrics.cacheWriteInputTokenCount ?? cache?.write,
    }),
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
  cache?: CacheCounts,
): void {
  if (inputTokens === undefined && outputTokens === undefined) return;
  emit({
    type: 'usage',
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    source: 'bedrock',
    ...cacheFields(cache),
  });
}
