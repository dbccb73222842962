/**
 * Decides, before anything is streamed, exactly which tokens a request produces and why it stops.
 *
 * Continuation rule: the answer is a pure function of the request without its prefill. When the prefill is
 * a prefix of that answer, the plan is the remainder from that character offset (possibly mid-token), so
 * prefill + continuation === the uninterrupted answer. Otherwise the text continues from a seed that
 * includes the prefill. maxTokens counts new tokens only (reasoning included).
 *
 * A scripted answer takes the Markov text's place and goes through the same rules, so truncation, stop
 * sequences and continuation behave identically for both. Its reasoning is used only where Markov reasoning
 * would be (reasoning on, no prefill); a script without reasoning shows none.
 */
import type { GenerationRequest, GenerationStopReason } from '../families/types.js';
import type { PlannedToolCall } from '../tools/tool-types.js';
import { composeAnswer, composeReasoning } from './answer-text.js';
import type { Sampling } from './answer-text.js';
import { tokenize } from './tokenizer.js';

export interface GenerationPlan {
  reasoning: string[];
  text: string[];
  stopReason: GenerationStopReason;
  stopSequence?: string;
  /** Tool calls made after the text (stop reason `tool_use`). */
  toolCalls?: PlannedToolCall[];
}

/** Exact text to answer with instead of generated text (see scripted-answers.ts). */
export interface ScriptedAnswer {
  text: string;
  reasoning?: string | undefined;
  /** Tool calls to make after the text, when the request offers tools (see scripted-answers.ts). */
  toolCalls?: { name: string; input?: Record<string, unknown> | undefined }[] | undefined;
}

/**
 * A plan that ends in tool calls: the (scripted) text first, then the calls. The text is cut by max_tokens
 * as usual; calls are made only when the text fit.
 */
export function withToolCalls(plan: GenerationPlan, calls: PlannedToolCall[]): GenerationPlan {
  if (plan.stopReason === 'max_tokens') return plan;
  return { reasoning: plan.reasoning, text: plan.text, stopReason: 'tool_use', toolCalls: calls };
}

export function planGeneration(request: GenerationRequest, scripted?: ScriptedAnswer): GenerationPlan {
  const sampling: Sampling = { temperature: request.temperature, topP: request.topP, topK: request.topK };
  const answerFor = (conversation: string) => scripted?.text ?? composeAnswer(conversation, sampling);
  const prefill = request.prefill ?? '';
  let body: string;
  let reasoning = '';
  if (prefill.trim() === '') {
    body = answerFor(request.conversation);
    // A prefilled request resumes an answer whose thinking already happened.
    if (request.reasoning) {
      reasoning = scripted ? (scripted.reasoning ?? '') : composeReasoning(request.conversation, sampling);
    }
  } else {
    const answer = answerFor(request.conversation);
    const offset = prefixLength(answer, prefill);
    if (offset >= 0) body = answer.slice(offset);
    else {
      // A script has one text whatever the prefill, so it follows a prefill it does not continue.
      const fresh = answerFor(request.conversation + prefill);
      body = /\s$/.test(prefill) ? fresh : ' ' + fresh;
    }
  }

  const stop = findStopSequence(prefill, body, request.stopSequences);
  if (stop) body = body.slice(0, stop.cut);

  const reasoningTokens = tokenize(reasoning);
  let budget = Math.max(0, request.maxTokens);
  if (reasoningTokens.length > budget || (reasoningTokens.length === budget && body !== '')) {
    return { reasoning: reasoningTokens.slice(0, budget), text: [], stopReason: 'max_tokens' };
  }
  budget -= reasoningTokens.length;
  const textTokens = tokenize(body);
  if (textTokens.length > budget) {
    return { reasoning: reasoningTokens, text: textTokens.slice(0, budget), stopReason: 'max_tokens' };
  }
  if (stop)
    return { reasoning: reasoningTokens, text: textTokens, stopReason: 'stop_sequence', stopSequence: stop.sequence };
  return { reasoning: reasoningTokens, text: textTokens, stopReason: 'end_turn' };
}

/** How much of `answer` the prefill covers: its length, or that of its trimmed form, or -1. */
function prefixLength(answer: string, prefill: string): number {
  if (answer.startsWith(prefill)) return prefill.length;
  const trimmed = prefill.trimStart();
  return answer.startsWith(trimmed) ? trimmed.length : -1;
}

/**
 * The earliest stop sequence that ends inside the new text. It may start in the prefill's tail (it spans the
 * boundary), in which case nothing new is produced.
 */
function findStopSequence(
  prefill: string,
  body: string,
  sequences: readonly string[],
): { cut: number; sequence: string } | undefined {
  let best: { cut: number; sequence: string } | undefined;
  for (const sequence of sequences) {
    if (sequence === '') continue;
    const lookback = Math.min(prefill.length, sequence.length - 1);
    const haystack = lookback > 0 ? prefill.slice(prefill.length - lookback) + body : body;
    const at = haystack.indexOf(sequence);
    if (at < 0) continue;
    const cut = Math.max(0, at - lookback);
    if (!best || cut < best.cut) best = { cut, sequence };
  }
  return best;
}
