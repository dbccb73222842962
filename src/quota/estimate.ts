/**
 * Input-token estimates for reservations, before Bedrock has counted anything. Settlement always uses
 * Bedrock's own counts, so an estimate only has to be close and, better, a little high: too low and
 * Bedrock's reservation is larger than ours (a 429 at the boundary), too high and a little quota waits
 * for nothing until the call settles. Rules per family, calibrated against the emulator's counts
 * (test/quota/estimate-calibration.test.ts measures the margin; docs/quota.md reports it).
 */
import type { ModelFamily } from '../models/types.js';
import type { ContentPart } from '../models/content.js';

export interface EstimateRule {
  /** Characters per token of ordinary text: the estimate is at least chars / this. */
  charsPerToken: number;
  /** Tokens the family's template adds per message (role markers, separators). */
  perMessage: number;
  /** Tokens the template adds once per request (begin-of-text, the open assistant turn). */
  perRequest: number;
}

/**
 * Messages-API families and Converse: about four characters a token (real tokenizers count 3.5 to 4 on
 * English prose), never fewer tokens than words and punctuation marks (every tokenizer splits there, and
 * punctuation-heavy text such as code is where a characters-only rule falls short), plus role markers.
 */
const DEFAULT_RULE: EstimateRule = { charsPerToken: 4, perMessage: 3, perRequest: 2 };

/** Prompt-template families pay for their template's markers on every turn (fitted to the emulator). */
export const ESTIMATE_RULES: Partial<Record<ModelFamily, EstimateRule>> = {
  llama: { charsPerToken: 4, perMessage: 25, perRequest: 30 },
  mistral: { charsPerToken: 4, perMessage: 4, perRequest: 7 },
  deepseek: { charsPerToken: 4, perMessage: 8, perRequest: 12 },
};

/** A word (letters, marks, digits, apostrophes) or one other visible character. */
const WORD_OR_MARK = /[\p{L}\p{M}\p{N}'’]+|[^\s\p{L}\p{M}\p{N}'’]/gu;

function textTokens(text: string, rule: EstimateRule): number {
  WORD_OR_MARK.lastIndex = 0;
  let pieces = 0;
  while (WORD_OR_MARK.exec(text) !== null) pieces++;
  return Math.max(pieces, Math.ceil(text.length / rule.charsPerToken));
}

/** An image's tokens at most: Claude counts width x height / 750 and scales images down to ~1.15 MP. */
const IMAGE_TOKENS = 1600;

function contentTokens(content: string | readonly ContentPart[], rule: EstimateRule): number {
  if (typeof content === 'string') return textTokens(content, rule);
  let tokens = 0;
  for (const part of content) {
    if (part.type === 'text') tokens += textTokens(part.text, rule);
    else if (part.type === 'tool-call') tokens += textTokens(part.name + JSON.stringify(part.input ?? null), rule);
    else if (part.type === 'tool-result') {
      tokens += textTokens(typeof part.content === 'string' ? part.content : JSON.stringify(part.content.json), rule);
    } else if (part.type === 'image') tokens += IMAGE_TOKENS;
    else if (part.type === 'document') tokens += Math.ceil(byteLength(part.data) / rule.charsPerToken);
  }
  return tokens;
}

function byteLength(data: Uint8Array | string): number {
  return typeof data === 'string' ? Math.floor((data.length * 3) / 4) : data.byteLength;
}

export function estimateInputTokens(
  family: ModelFamily | undefined,
  parts: { system?: string | undefined; messages: readonly { content: string | readonly ContentPart[] }[] },
): number {
  const rule = (family === undefined ? undefined : ESTIMATE_RULES[family]) ?? DEFAULT_RULE;
  const system = parts.system ?? '';
  let tokens = rule.perRequest + (system === '' ? 0 : textTokens(system, rule) + rule.perMessage);
  for (const message of parts.messages) tokens += contentTokens(message.content, rule) + rule.perMessage;
  return tokens;
}
