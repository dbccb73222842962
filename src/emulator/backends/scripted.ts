/**
 * A text backend that answers from a matching script, makes the tool calls the request calls for, and asks
 * `fallback` otherwise. Built per request, because a rule matches on the model ids, which the backend
 * interface does not carry. Requests without tools pay one property check for the tool path.
 */
import type { GenerationRequest, TextBackend } from '../families/types.js';
import type { ScriptedAnswer, ScriptedAnswers } from '../scripted-answers.js';
import { planGeneration, withToolCalls } from '../text/generation-plan.js';
import { streamPlan } from '../text/markov-backend.js';
import { chooseTools, planToolCalls, toolResultAnswer } from '../tools/tool-decision.js';

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
      if (answer !== undefined) {
        context.onScripted?.();
        return streamPlan(scriptedPlan(request, answer), signal);
      }
      if (request.tools !== undefined || request.toolResults !== undefined) {
        const plan = toolPlan(request);
        if (plan !== undefined) return streamPlan(plan, signal);
      }
      return fallback.generate(request, signal);
    },
  };
}

/** The same plan as Markov text: max_tokens, stop sequences and the continuation rule all apply. */
function scriptedPlan(request: GenerationRequest, answer: ScriptedAnswer) {
  const plan = planGeneration(request, answer);
  if (answer.toolCalls === undefined || answer.toolCalls.length === 0 || request.tools === undefined) return plan;
  return withToolCalls(plan, planToolCalls(answer.toolCalls, request.tools.idStyle, request.conversation));
}

/** Tool calls per the contract in tool-decision.ts, or a text answer quoting tool results. */
function toolPlan(request: GenerationRequest) {
  const chosen =
    request.tools === undefined ? undefined : chooseTools(request.tools, request.lastUserText, request.toolResults);
  if (chosen !== undefined) {
    const calls = planToolCalls(chosen, request.tools!.idStyle, request.conversation);
    if (!request.reasoning) return { reasoning: [], text: [], stopReason: 'tool_use' as const, toolCalls: calls };
    // Reasoning (Claude thinking, gpt-oss…) comes first, as before a text answer; then the calls, no text.
    const thought = planGeneration(request);
    if (thought.text.length === 0 && thought.stopReason === 'max_tokens') return thought;
    return { reasoning: thought.reasoning, text: [], stopReason: 'tool_use' as const, toolCalls: calls };
  }
  if (request.toolResults !== undefined && request.toolResults.length > 0) {
    return planGeneration(request, { text: toolResultAnswer(request.toolResults) });
  }
  return undefined;
}
