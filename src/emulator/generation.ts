/**
 * Drives a text backend and groups its tokens into chunks the way the family's timing profile says,
 * waiting between chunks at the profile's pace. Reasoning and text never share a chunk.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerationRequest, GenerationResult, TextBackend } from './families/types.js';
import type { Pacer } from './timing.js';
import type { CompletedToolCall, ToolCallRef } from './tools/tool-types.js';

/** `call` is set for `tool` chunks: one fragment of that call's arguments per chunk. */
export type ChunkSink = (
  channel: 'reasoning' | 'text' | 'tool',
  delta: string,
  tokens: number,
  call?: ToolCallRef,
) => Promise<void> | void;

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
    if (token.channel === 'tool') {
      // Each argument fragment is its own chunk, as Bedrock streams them.
      await flush();
      await pause(first ? pacer.firstTokenDelayMs() : pacer.delayForTokensMs(1), signal);
      first = false;
      await sink('tool', token.text, 1, token.call);
      continue;
    }
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
): Promise<{ reasoning: string; text: string; toolCalls: CompletedToolCall[]; result: GenerationResult }> {
  let reasoning = '';
  let text = '';
  const toolCalls: CompletedToolCall[] = [];
  const tokens = backend.generate(request, signal);
  for (;;) {
    const next = await tokens.next();
    if (next.done) {
      for (const call of toolCalls) call.input = JSON.parse(call.json) as unknown;
      return { reasoning, text, toolCalls, result: next.value };
    }
    const token = next.value;
    if (token.channel === 'tool') {
      const call = toolCalls[token.call.index];
      if (call === undefined) toolCalls.push({ id: token.call.id, name: token.call.name, input: {}, json: token.text });
      else call.json += token.text;
    } else if (token.channel === 'reasoning') reasoning += token.text;
    else text += token.text;
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
