/**
 * Configurable guardrails: word lists that block input or output the way a Bedrock guardrail's word policy
 * does. Configured with `startEmulator({ guardrails })`, `POST /_emulator/guardrails` or `--guardrail`;
 * requests name one with the InvokeModel headers (`X-Amzn-Bedrock-GuardrailIdentifier` / `-Version` /
 * `-Trace`, async mode in the body's `amazon-bedrock-guardrailConfig`) or Converse's `guardrailConfig`.
 *
 * Input: a blocked word anywhere in the request's text → the blocked-input message is the whole answer.
 * Output: the text is watched as generated; at the first token completing a blocked word the answer ends
 * with the blocked-output message. In sync mode the offending token is withheld; in async mode it has
 * already gone out. Either way the stop reason is `guardrail_intervened` (action INTERVENED).
 */
import { z } from 'zod';
import { BedrockServiceError } from './bedrock-error.js';
import type { GeneratedToken, GenerationRequest, GenerationResult, TextBackend } from './families/types.js';
import { streamPlan } from './text/markov-backend.js';
import { tokenize } from './text/tokenizer.js';

export const guardrailSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+$/, 'a guardrail id is lower-case letters and digits'),
  /** `DRAFT` or a number as a string (default `DRAFT`). */
  version: z
    .string()
    .regex(/^(DRAFT|[1-9][0-9]{0,7})$/)
    .default('DRAFT'),
  blockedWords: z.array(z.string().min(1)).min(1),
  blockedInputMessaging: z.string().min(1).default('Sorry, the model cannot answer this question.'),
  blockedOutputsMessaging: z.string().min(1).default('Sorry, the model cannot answer this question.'),
});

export type GuardrailConfig = z.input<typeof guardrailSchema>;
type Guardrail = z.output<typeof guardrailSchema>;

export type GuardrailTraceMode = 'enabled' | 'disabled' | 'enabled_full';

/** A guardrail applied to one request. */
export interface AppliedGuardrail {
  guardrail: Guardrail;
  trace: GuardrailTraceMode;
  mode: 'sync' | 'async';
}

/** What happened, for the closing chunk / Converse metadata and the request log. */
export interface GuardrailOutcome {
  action: 'INTERVENED' | 'NONE';
  /** The blocked word and where it was found. */
  blocked?: { word: string; phase: 'input' | 'output' };
}

export class GuardrailRegistry {
  private readonly guardrails = new Map<string, Guardrail>();

  add(config: GuardrailConfig): void {
    const parsed = guardrailSchema.parse(config);
    this.guardrails.set(`${parsed.id}@${parsed.version}`, parsed);
  }

  list(): Guardrail[] {
    return [...this.guardrails.values()].map((guardrail) => ({ ...guardrail }));
  }

  clear(): void {
    this.guardrails.clear();
  }

  /** The guardrail a request names; Bedrock's errors for a missing version or an unknown one. */
  resolve(identifier: string, version: string | undefined, where: 'invoke' | 'converse'): Guardrail {
    if (version === undefined || version === '') {
      throw new BedrockServiceError(
        'ValidationException',
        where === 'converse'
          ? "1 validation error detected: Value null at 'guardrailConfig.guardrailVersion' failed to satisfy constraint: Member must not be null"
          : 'Guardrail version is required when a guardrail identifier is specified.',
      );
    }
    if (!/^(DRAFT|[1-9][0-9]{0,7})$/.test(version)) {
      const path = where === 'converse' ? 'guardrailConfig.guardrailVersion' : 'guardrailVersion';
      throw new BedrockServiceError(
        'ValidationException',
        `1 validation error detected: Value '${version}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: (([1-9][0-9]{0,7})|(DRAFT))`,
      );
    }
    // An ARN names the guardrail by its last path segment.
    const id = identifier.startsWith('arn:') ? identifier.slice(identifier.lastIndexOf('/') + 1) : identifier;
    const guardrail = this.guardrails.get(`${id}@${version}`);
    if (guardrail === undefined) {
      throw new BedrockServiceError(
        'ResourceNotFoundException',
        `The guardrail identifier or version provided in the request does not exist: ${identifier} (version ${version}).`,
      );
    }
    return guardrail;
  }
}

/** The first blocked word found in `text` as a whole word (case-insensitive), if any. */
export function findBlockedWord(guardrail: Guardrail, text: string): string | undefined {
  const lower = text.toLowerCase();
  for (const word of guardrail.blockedWords) {
    const target = word.toLowerCase();
    let from = 0;
    for (;;) {
      const at = lower.indexOf(target, from);
      if (at < 0) break;
      const before = lower[at - 1] ?? ' ';
      const after = lower[at + target.length] ?? ' ';
      if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return word;
      from = at + 1;
    }
  }
  return undefined;
}

/** The answer to a blocked input: the blocked-input message, nothing generated. */
export function blockedInputBackend(message: string): TextBackend {
  return {
    generate: (_request, signal) =>
      streamPlan({ reasoning: [], text: tokenize(message), stopReason: 'guardrail_intervened' }, signal),
  };
}

/**
 * Watches generated text for blocked words; on a match ends the answer with the blocked-output message.
 * `outcome` is filled in as the answer goes.
 */
export function guardedBackend(inner: TextBackend, applied: AppliedGuardrail, outcome: GuardrailOutcome): TextBackend {
  return {
    async *generate(request: GenerationRequest, signal: AbortSignal) {
      const tokens = inner.generate(request, signal);
      let seen = '';
      let outputTokens = 0;
      for (;;) {
        const next = await tokens.next();
        if (next.done) return next.value;
        const token: GeneratedToken = next.value;
        if (token.channel !== 'text') {
          outputTokens++;
          yield token;
          continue;
        }
        // Only the recent tail can complete a new match: keeps the check cheap on long answers.
        const window = seen.slice(-200) + token.text;
        const word = findBlockedWord(applied.guardrail, window);
        seen += token.text;
        if (word === undefined) {
          outputTokens++;
          yield token;
          continue;
        }
        if (applied.mode === 'async') {
          outputTokens++;
          yield token;
        }
        await tokens.return?.(undefined as never);
        outcome.action = 'INTERVENED';
        outcome.blocked = { word, phase: 'output' };
        const message = (seen.length > token.text.length ? ' ' : '') + applied.guardrail.blockedOutputsMessaging;
        for (const text of tokenize(message)) yield { channel: 'text', text } as GeneratedToken;
        const result: GenerationResult = { stopReason: 'guardrail_intervened', outputTokens };
        return result;
      }
    },
  };
}

/** A word-policy assessment as Bedrock's trace shows it. */
function wordAssessment(word: string): object {
  return { wordPolicy: { customWords: [{ match: word, action: 'BLOCKED', detected: true }] } };
}

/** `amazon-bedrock-trace` for InvokeModel*: `{guardrail: {input: {id: …}, outputs: [{id: …}]}}`. */
export function invokeTrace(applied: AppliedGuardrail, outcome: GuardrailOutcome): object {
  const id = applied.guardrail.id;
  const blocked = outcome.blocked;
  return {
    guardrail: {
      input: { [id]: blocked?.phase === 'input' ? wordAssessment(blocked.word) : {} },
      ...(blocked?.phase === 'output' ? { outputs: [{ [id]: wordAssessment(blocked.word) }] } : {}),
    },
  };
}

/** Converse `trace.guardrail`: `{inputAssessment: {id: …}, outputAssessments: {id: [...]}}`. */
export function converseTrace(applied: AppliedGuardrail, outcome: GuardrailOutcome): object {
  const id = applied.guardrail.id;
  const blocked = outcome.blocked;
  return {
    guardrail: {
      inputAssessment: { [id]: blocked?.phase === 'input' ? wordAssessment(blocked.word) : {} },
      ...(blocked?.phase === 'output' ? { outputAssessments: { [id]: [wordAssessment(blocked.word)] } } : {}),
    },
  };
}
