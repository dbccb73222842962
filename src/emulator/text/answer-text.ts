/**
 * Composes the emulator's answers from the Markov chain. An answer is a pure function of the conversation
 * and the sampling settings: the same request always gets the same text, and temperature 0 decodes greedily.
 */
import { markovChain } from './markov-chain.js';
import type { MarkovChain, Successors } from './markov-chain.js';
import { hashString, mulberry32 } from './seeded-random.js';

export interface Sampling {
  temperature: number;
  topP?: number | undefined;
  topK?: number | undefined;
}

const MAX_SENTENCE_TOKENS = 48;
const MAX_SENTENCES = 200;
/** "… in 12 sentences" in the conversation asks for that many sentences (handy for long streams). */
const SENTENCE_REQUEST = /\b(\d{1,3})\s+sentences?\b/gi;

/** The answer text for a conversation (no prefill): two to five sentences, or as many as asked for. */
export function composeAnswer(conversation: string, sampling: Sampling): string {
  const random = mulberry32(hashString(`answer\u0000${conversation}\u0000${samplingKey(sampling)}`));
  const sentences = requestedSentences(conversation) ?? 2 + Math.floor(random() * 4);
  const chain = markovChain();
  const parts: string[] = [];
  for (let s = 0; s < sentences; s++) {
    // The second sentence always comes from the multi-byte pool so clients meet accents and emoji;
    // about one sentence in four opens a new paragraph.
    const separator = s === 0 ? '' : random() < 0.25 ? '\n\n' : ' ';
    appendSentence(chain, parts, s === 1 ? chain.multiByteStarters : chain.starters, separator, random, sampling);
  }
  return parts.join('');
}

/** The reasoning paragraph shown before the answer when reasoning is on: one or two sentences. */
export function composeReasoning(conversation: string, sampling: Sampling): string {
  const random = mulberry32(hashString(`reasoning\u0000${conversation}\u0000${samplingKey(sampling)}`));
  const sentences = 1 + Math.floor(random() * 2);
  const chain = markovChain();
  const parts: string[] = [];
  for (let s = 0; s < sentences; s++)
    appendSentence(chain, parts, chain.starters, s === 0 ? '' : ' ', random, sampling);
  return parts.join('');
}

function samplingKey(sampling: Sampling): string {
  return `${sampling.temperature}\u0000${sampling.topP ?? ''}\u0000${sampling.topK ?? ''}`;
}

function requestedSentences(conversation: string): number | undefined {
  let last: string | undefined;
  for (const match of conversation.matchAll(SENTENCE_REQUEST)) last = match[1];
  if (last === undefined) return undefined;
  return Math.min(MAX_SENTENCES, Math.max(1, Number(last)));
}

function appendSentence(
  chain: MarkovChain,
  parts: string[],
  pool: readonly number[],
  separator: string,
  random: () => number,
  sampling: Sampling,
): void {
  const start = pool[Math.floor(random() * pool.length)]!;
  let prev = chain.ids[start - 1]!;
  let cur = chain.ids[start]!;
  parts.push(separator + chain.vocabulary[cur]!.trimStart());
  for (let n = 1; n < MAX_SENTENCE_TOKENS; n++) {
    const next = nextToken(chain, prev, cur, random, sampling);
    if (next < 0) break;
    parts.push(chain.vocabulary[next]!);
    if (chain.terminal[next] && !chain.abbreviation[cur]) return;
    prev = cur;
    cur = next;
  }
  parts.push('.');
}

function nextToken(chain: MarkovChain, prev: number, cur: number, random: () => number, sampling: Sampling): number {
  let successors = chain.pairs.get(prev * chain.vocabulary.length + cur);
  // Higher temperatures sometimes forget the older word, which lets the text wander further.
  if (sampling.temperature > 0 && random() < Math.min(0.5, sampling.temperature * 0.35)) {
    successors = chain.singles[cur] ?? successors;
  }
  successors ??= chain.singles[cur];
  return successors ? choose(successors, random, sampling) : -1;
}

/** Greedy at temperature 0; otherwise weights count^(1/T), restricted by topK and then topP. */
function choose(successors: Successors, random: () => number, sampling: Sampling): number {
  const { ids, counts } = successors;
  if (sampling.temperature <= 0 || ids.length === 1) return ids[0]!;
  let limit = ids.length;
  if (sampling.topK !== undefined && sampling.topK > 0) limit = Math.min(limit, sampling.topK);
  const exponent = 1 / sampling.temperature;
  let total = 0;
  for (let i = 0; i < limit; i++) total += counts[i]! ** exponent;
  if (sampling.topP !== undefined && sampling.topP < 1) {
    let cumulative = 0;
    for (let i = 0; i < limit; i++) {
      cumulative += counts[i]! ** exponent;
      if (cumulative >= sampling.topP * total) {
        limit = i + 1;
        total = cumulative;
        break;
      }
    }
  }
  let pick = random() * total;
  for (let i = 0; i < limit; i++) {
    pick -= counts[i]! ** exponent;
    if (pick < 0) return ids[i]!;
  }
  return ids[limit - 1]!;
}
