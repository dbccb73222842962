/**
 * The default text backend: deterministic Markov text from the bundled corpus (see generation-plan.ts for
 * the stop, budget and continuation rules). The whole plan is computed up front, then streamed token by
 * token until it ends or the caller aborts.
 */
import type { GeneratedToken, GenerationResult, TextBackend } from '../families/types.js';
import { planGeneration, type GenerationPlan } from './generation-plan.js';
import { countTokens } from './tokenizer.js';

export function createMarkovBackend(): TextBackend {
  return {
    generate: (request, signal) => streamPlan(planGeneration(request), signal),
  };
}

/** Yields a plan's tokens, reasoning first; shared with scripted answers so both stream alike. */
export async function* streamPlan(
  plan: GenerationPlan,
  signal: AbortSignal,
): AsyncGenerator<GeneratedToken, GenerationResult, void> {
  let outputTokens = 0;
  for (const text of plan.reasoning) {
    if (signal.aborted) return { stopReason: plan.stopReason, outputTokens };
    yield { channel: 'reasoning', text };
    outputTokens++;
  }
  for (const text of plan.text) {
    if (signal.aborted) return { stopReason: plan.stopReason, outputTokens };
    yield { channel: 'text', text };
    outputTokens++;
  }
  const calls = plan.toolCalls ?? [];
  for (let index = 0; index < calls.length; index++) {
    const { id, name, fragments } = calls[index]!;
    const call = { index, id, name };
    outputTokens += countTokens(fragments.join(''));
    for (const text of fragments) {
      if (signal.aborted) return { stopReason: plan.stopReason, outputTokens };
      yield { channel: 'tool', text, call };
    }
  }
  const result: GenerationResult = { stopReason: plan.stopReason, outputTokens };
  if (plan.stopSequence !== undefined) result.stopSequence = plan.stopSequence;
  return result;
}
