/**
 * A word-level Markov chain over the bundled corpus (order 2, with order-1 back-off), built once on first
 * use. States are token ids; successors are kept most-frequent first, ties in order of first appearance,
 * so greedy decoding is deterministic.
 */
import { MULTI_BYTE_SENTENCES, NOVEL } from './corpus.js';
import { tokenize } from './tokenizer.js';

export interface Successors {
  ids: number[];
  counts: number[];
}

export interface MarkovChain {
  vocabulary: string[];
  /** Order-2 successors keyed by `prev * vocabulary.length + cur`. */
  pairs: Map<number, Successors>;
  /** Order-1 successors by token id. */
  singles: (Successors | undefined)[];
  /** Token stream positions where a sentence starts; the state is (ids[i-1], ids[i]). */
  starters: number[];
  /** Starts of the multi-byte sentences. */
  multiByteStarters: number[];
  /** Token ids of the corpus, in order. */
  ids: number[];
  /** True for `.`, `!` and `?` tokens. */
  terminal: boolean[];
  /** True for words after which a `.` does not end a sentence (Mr., Mrs.). */
  abbreviation: boolean[];
}

const ABBREVIATIONS = new Set(['Mr', 'Mrs', 'Dr', 'St']);
const STARTER = /^\s*\p{Lu}/u;

let built: MarkovChain | undefined;

export function markovChain(): MarkovChain {
  built ??= buildChain();
  return built;
}

function buildChain(): MarkovChain {
  // Dialogue quotes would come out unbalanced and paragraph breaks at random places, so the chain learns
  // from the prose without them; answers get their own paragraph breaks between sentences.
  const tokens = tokenize(
    NOVEL.trim()
      .replace(/"/g, '')
      .replace(/\s*\n\s*/g, ' '),
  );
  const multiByteStarts: number[] = [];
  for (const sentence of MULTI_BYTE_SENTENCES) {
    multiByteStarts.push(tokens.length);
    for (const token of tokenize(' ' + sentence)) tokens.push(token);
  }

  const vocabulary: string[] = [];
  const index = new Map<string, number>();
  const ids = tokens.map((token) => {
    let id = index.get(token);
    if (id === undefined) {
      id = vocabulary.length;
      vocabulary.push(token);
      index.set(token, id);
    }
    return id;
  });
  const size = vocabulary.length;
  const terminal = vocabulary.map((token) => /^\s*[.!?]$/.test(token));
  const abbreviation = vocabulary.map((token) => ABBREVIATIONS.has(token.trim()));

  const pairs = new Map<number, Successors>();
  const singles: (Successors | undefined)[] = new Array<Successors | undefined>(size);
  for (let i = 1; i < ids.length; i++) {
    const cur = ids[i - 1]!;
    const next = ids[i]!;
    singles[cur] = addSuccessor(singles[cur], next);
    if (i >= 2) {
      const key = ids[i - 2]! * size + cur;
      pairs.set(key, addSuccessor(pairs.get(key), next));
    }
  }
  for (const successors of pairs.values()) sortSuccessors(successors);
  for (const successors of singles) if (successors) sortSuccessors(successors);

  const starters: number[] = [];
  for (let i = 2; i < multiByteStarts[0]!; i++) {
    const prev = ids[i - 1]!;
    if (terminal[prev] && !abbreviation[ids[i - 2]!] && STARTER.test(vocabulary[ids[i]!]!)) starters.push(i);
  }
  return { vocabulary, pairs, singles, starters, multiByteStarters: multiByteStarts, ids, terminal, abbreviation };
}

function addSuccessor(successors: Successors | undefined, id: number): Successors {
  const entry = successors ?? { ids: [], counts: [] };
  const at = entry.ids.indexOf(id);
  if (at >= 0) entry.counts[at]!++;
  else {
    entry.ids.push(id);
    entry.counts.push(1);
  }
  return entry;
}

/** Most frequent first; a stable sort keeps first-seen order among equals. */
function sortSuccessors(successors: Successors): void {
  const order = successors.ids.map((_, i) => i).sort((a, b) => successors.counts[b]! - successors.counts[a]!);
  successors.ids = order.map((i) => successors.ids[i]!);
  successors.counts = order.map((i) => successors.counts[i]!);
}
