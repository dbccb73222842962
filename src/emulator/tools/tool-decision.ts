/**
 * When the emulated model calls a tool, and with what (the contract in docs/emulator.md, "Tool use"):
 *
 * - a last user turn carrying tool results → a text answer quoting each result ("The tool returned: …");
 * - `none` → text; `any` → the first tool; a named tool → that tool;
 * - `auto` (or no choice) → every tool whose name appears as a word in the last user turn, in order of
 *   appearance (only the first when parallel calls are off); no tool named → text.
 *
 * Arguments are generated from the tool's schema, seeded by the conversation, and split into fragments at
 * seeded points, so clients must join them.
 */
import { hashString, mulberry32 } from '../text/seeded-random.js';
import { valueForSchema } from './schema-value.js';
import type { PlannedToolCall, ToolDefinition, ToolIdStyle, ToolRequest, ToolResultText } from './tool-types.js';

export interface ScriptedToolCall {
  name: string;
  input?: Record<string, unknown> | undefined;
}

export type ToolAnswer = { kind: 'calls'; calls: PlannedToolCall[] } | { kind: 'text'; text: string };

/** The text answer to a turn of tool results: each result quoted verbatim. */
export function toolResultAnswer(results: readonly ToolResultText[]): string {
  return results.map((result) => `The tool returned: ${result.content}.`).join(' ');
}

/** Which tools the model calls for this request, or undefined when it answers in text. */
export function chooseTools(
  tools: ToolRequest,
  lastUserText: string | undefined,
  results: readonly ToolResultText[] | undefined,
): ToolDefinition[] | undefined {
  const { choice, definitions } = tools;
  if (definitions.length === 0 || choice.type === 'none') return undefined;
  if (choice.type === 'tool') {
    const named = definitions.find((tool) => tool.name === choice.name);
    return named === undefined ? undefined : [named];
  }
  if (choice.type === 'any') return [definitions[0]!];
  if (results !== undefined && results.length > 0) return undefined;
  const text = lastUserText ?? '';
  const named = definitions
    .map((tool) => ({ tool, at: wordIndex(text, tool.name) }))
    .filter((entry) => entry.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((entry) => entry.tool);
  if (named.length === 0) return undefined;
  return tools.parallel ? named : named.slice(0, 1);
}

/** Where `word` first appears as a whole word (not inside a longer name), or -1. */
function wordIndex(text: string, word: string): number {
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return -1;
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + word.length] ?? '';
    if (!/[A-Za-z0-9_-]/.test(before) && !/[A-Za-z0-9_-]/.test(after)) return at;
    from = at + 1;
  }
}

/** Plans calls of the chosen tools (or a script's calls) with seeded ids, arguments and fragments. */
export function planToolCalls(
  chosen: readonly (ToolDefinition | ScriptedToolCall)[],
  style: ToolIdStyle,
  seedText: string,
): PlannedToolCall[] {
  return chosen.map((tool, index) => {
    const seed = hashString(`${seedText}\u0000${tool.name}\u0000${index}`);
    const input = 'schema' in tool ? valueForSchema(tool.schema, seed) : (tool.input ?? {});
    const json = JSON.stringify(input);
    return { id: toolCallId(style, seed), name: tool.name, input, fragments: splitFragments(json, seed) };
  });
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomChars(seed: number, length: number): string {
  const random = mulberry32(seed ^ 0x5bd1e995);
  let out = '';
  for (let i = 0; i < length; i++) out += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return out;
}

/** Ids in each family's look: `toolu_bdrk_…`, `tooluse_…`, `call_…`, Mistral's nine characters. */
export function toolCallId(style: ToolIdStyle, seed: number): string {
  switch (style) {
    case 'claude':
      return `toolu_bdrk_01${randomChars(seed, 22)}`;
    case 'converse':
      return `tooluse_${randomChars(seed, 22)}`;
    case 'openai':
      return `call_${randomChars(seed, 24)}`;
    case 'mistral':
      return randomChars(seed, 9);
    case 'cohere':
      return '';
  }
}

/** Splits JSON text into 2–5 pieces at seeded points (possibly mid-string or mid-number). */
function splitFragments(json: string, seed: number): string[] {
  if (json.length < 4) return [json];
  const random = mulberry32(seed ^ 0x9e3779b9);
  const pieces = 2 + Math.floor(random() * Math.min(4, json.length / 2 - 1));
  const cuts = new Set<number>();
  while (cuts.size < pieces - 1) cuts.add(1 + Math.floor(random() * (json.length - 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const fragments: string[] = [];
  let start = 0;
  for (const cut of sorted) {
    fragments.push(json.slice(start, cut));
    start = cut;
  }
  fragments.push(json.slice(start));
  return fragments;
}
