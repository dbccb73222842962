/**
 * A text backend that answers from a matching script and asks `fallback` otherwise. Built per request,
 * because a rule matches on the model ids, which the backend interface does not carry.
 */
import type { TextBackend } from '../families/types.js';
import type { ScriptedAnswers } from '../scripted-answers.js';
import { planGeneration } from '../text/generation-plan.js';
import { streamPlan } from '../text/markov-backend.js';

export interface ScriptedBackendContext {
  modelId: string;
  baseModelId: string;
  /** Called when a script answers (the request log records it). */
  onScripted?: () => void;
}

export function createScriptedBackend(
  scripts: ScriptedAnswers,
  fallback: TextBackend,
  context: ScriptedBackendContext,
): TextBackend {
  return {
    generate(request, signal) {
      const answer = scripts.take({
        modelId: context.modelId,
        baseModelId: context.baseModelId,
        conversation: request.conversation,
        lastUserText: request.lastUserText,
      });
      if (answer === undefined) return fallback.generate(request, signal);
      context.onScripted?.();
      // The same plan as Markov text: max_tokens, stop sequences and the continuation rule all apply.
      return streamPlan(planGeneration(request, answer), signal);
    },
  };
}
