/**
 * Scripted answers: rules that make the emulator answer a matching request with exact text instead of
 * Markov text (UI tests for markdown, escaping and long answers need known output). The text still goes
 * through the generation plan, so framing, chunking, pacing, truncation and faults apply as usual.
 * Rules come from `startEmulator({ scripts })`, the admin API, `--script`, or `emulator.scripts.add()`.
 */
import { z } from 'zod';
import type { ScriptedAnswer } from './text/generation-plan.js';

// Strict objects: a misspelt `match` key would otherwise silently match every request.
export const scriptRuleSchema = z.strictObject({
  match: z
    .strictObject({
      /** A substring of the last user message (of the whole prompt for prompt-template families). */
      prompt: z.string().min(1).optional(),
      /** The model id as sent, or its resolved base model id. */
      modelId: z.string().min(1).optional(),
    })
    .optional(),
  answer: z.strictObject({
    /** The text (`''` when the answer is only tool calls). */
    text: z.string(),
    reasoning: z.string().optional(),
    /** Tool calls made after the text when the request offers tools (stop reason tool_use). */
    toolCalls: z
      .array(z.strictObject({ name: z.string().min(1), input: z.record(z.string(), z.unknown()).optional() }))
      .optional(),
  }),
  /** How many matching requests get the answer (default `always`, unlike faults). */
  times: z.union([z.number().int().min(1), z.literal('always')]).optional(),
});

export type ScriptRule = z.input<typeof scriptRuleSchema>;
export type { ScriptedAnswer };

/** What a rule is matched against: the model ids and the parsed request's text. */
export interface ScriptTarget {
  modelId: string;
  baseModelId: string;
  /** The whole conversation text (without the prefill). */
  conversation: string;
  /** The last user turn, when the family sends turns; prompts match the conversation otherwise. */
  lastUserText?: string | undefined;
}

export interface ListedScript {
  match: NonNullable<ScriptRule['match']>;
  answer: ScriptedAnswer;
  remaining: number | 'always';
}

interface ActiveRule {
  match: NonNullable<ScriptRule['match']>;
  answer: ScriptedAnswer;
  remaining: number;
}

export class ScriptedAnswers {
  private rules: ActiveRule[] = [];

  add(rule: ScriptRule): void {
    const parsed = scriptRuleSchema.parse(rule);
    const times = parsed.times ?? 'always';
    this.rules.push({
      match: parsed.match ?? {},
      answer: parsed.answer,
      remaining: times === 'always' ? Number.POSITIVE_INFINITY : times,
    });
  }

  clear(): void {
    this.rules = [];
  }

  list(): ListedScript[] {
    // Copies, so a caller cannot edit a live rule.
    return this.rules.map(({ match, answer, remaining }) => ({
      match: { ...match },
      answer: { ...answer },
      remaining: remaining === Number.POSITIVE_INFINITY ? 'always' : remaining,
    }));
  }

  /** The first rule matching this request, consuming one of its uses; undefined when none matches. */
  take(target: ScriptTarget): ScriptedAnswer | undefined {
    const index = this.rules.findIndex((rule) => matches(rule.match, target));
    if (index === -1) return undefined;
    const rule = this.rules[index]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    return rule.answer;
  }
}

function matches(match: ActiveRule['match'], target: ScriptTarget): boolean {
  const { modelId, prompt } = match;
  if (modelId !== undefined && modelId !== target.modelId && modelId !== target.baseModelId) return false;
  if (prompt !== undefined && !(target.lastUserText ?? target.conversation).includes(prompt)) return false;
  return true;
}
