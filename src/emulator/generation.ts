/**
 * Drives a text backend and groups its tokens into chunks the way the family's timing profile says,
 * waiting between chunks at the profile's pace. Reasoning and text never share a chunk.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerationRequest, GenerationResult, TextBackend } from './families/types.js';
import type { Pacer } from './timing.js';

export type ChunkSink = (channel: 'reasoning' | 'text', delta: string, tokens: number) => Promise<void> | void;

export async function generateChunks(
  backend: TextBackend,
  request: GenerationRequest,
  pacer: Pacer,
  signal: AbortSignal,
  sink: ChunkSink,
): Promise<GenerationResult> {
  const tokens = backend.generate(request, signal);
  let channel: 'reasoning' | 'text' = 'text';
  let pending = '';
  let pendingTokens = 0;
  let target = pacer.nextChunkSize();
  let first = true;

  const flush = async () => {
    if (pendingTokens === 0) return;
    await pause(first ? pacer.firstTokenDelayMs() : pacer.delayForTokensMs(pendingTokens), signal);
    first = false;
    const delta = pending;
    const count = pendingTokens;
    pending = '';
    pendingTokens = 0;
    target = pacer.nextChunkSize();
    await sink(channel, delta, count);
  };

  for (;;) {
    const next = await tokens.next();
    if (next.done) {
      await flush();
      return next.value;
    }
    if (signal.aborted) {
      await tokens.return?.(undefined as never);
      throw signal.reason ?? new Error('aborted');
    }
    const token = next.value;
    if (token.channel !== channel && pendingTokens > 0) await flush();
    channel = token.channel;
    pending += token.text;
    pendingTokens += 1;
    if (pendingTokens >= target) await flush();
  }
}

/** Runs the whole generation without chunk pacing (InvokeModel, Converse). */
export async function generateAll(
  backend: TextBackend,
  request: GenerationRequest,
  signal: AbortSignal,
): Promise<{ reasoning: string; text: string; result: GenerationResult }> {
  let reasoning = '';
  let text = '';
  const tokens = backend.generate(request, signal);
  for (;;) {
    const next = await tokens.next();
    if (next.done) return { reasoning, text, result: next.value };
    if (next.value.channel === 'reasoning') reasoning += next.value.text;
    else text += next.value.text;
  }
}

export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks the signal.
  }
}
