/** The figures shown under each answer, computed from the stream's snapshot and its `done` event. */
import type { ChatSnapshot } from '../../browser/index.js';

export interface AnswerMetrics {
  timeToFirstTokenMs?: number;
  tokensPerSecond?: number;
  inputTokens?: number;
  outputTokens?: number;
  stopReason?: string;
  chunks: number;
}

export function answerMetrics(snapshot: ChatSnapshot): AnswerMetrics {
  const metrics: AnswerMetrics = { chunks: snapshot.textEvents };
  if (snapshot.firstTokenAt !== undefined) metrics.timeToFirstTokenMs = snapshot.firstTokenAt - snapshot.startedAt;
  if (snapshot.usage !== undefined) {
    metrics.inputTokens = snapshot.usage.inputTokens;
    metrics.outputTokens = snapshot.usage.outputTokens;
    const end = snapshot.endedAt ?? Date.now();
    const seconds = snapshot.firstTokenAt === undefined ? 0 : (end - snapshot.firstTokenAt) / 1000;
    if (seconds > 0.05) metrics.tokensPerSecond = snapshot.usage.outputTokens / seconds;
  }
  if (snapshot.stopReason !== undefined) metrics.stopReason = snapshot.stopReason;
  return metrics;
}

export function formatMetrics(metrics: AnswerMetrics): string {
  const parts: string[] = [];
  if (metrics.timeToFirstTokenMs !== undefined) parts.push(`first token ${formatMs(metrics.timeToFirstTokenMs)}`);
  if (metrics.tokensPerSecond !== undefined) parts.push(`${metrics.tokensPerSecond.toFixed(1)} tok/s`);
  if (metrics.inputTokens !== undefined) parts.push(`${metrics.inputTokens} in / ${metrics.outputTokens ?? 0} out`);
  if (metrics.stopReason !== undefined) parts.push(`stop: ${metrics.stopReason}`);
  parts.push(`${metrics.chunks} chunk${metrics.chunks === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
