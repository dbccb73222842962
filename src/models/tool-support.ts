/**
 * Which native request formats take tools, and which tool choices each can express (bedrock-wire.md §4):
 * Claude (auto, any, none, a named tool), Nova (auto, any, a named tool), gpt-oss (all four), Mistral
 * chat (auto, any, none), Jamba and Command R (auto only: their Bedrock bodies have no tool choice).
 * Llama's native body is a raw prompt with no documented tools field. Everything else is refused before
 * any call, naming the fix, rather than sent with the tools silently dropped.
 */
import { ValidationError } from '../errors.js';
import type { ToolChoice } from './content.js';
import type { ModelFamily, NormalizedRequest } from './types.js';

type ChoiceKind = 'auto' | 'any' | 'none' | 'named';

const NATIVE_TOOL_CHOICES: Partial<Record<ModelFamily, readonly ChoiceKind[]>> = {
  anthropic: ['auto', 'any', 'none', 'named'],
  nova: ['auto', 'any', 'named'],
  openai: ['auto', 'any', 'none', 'named'],
  'mistral-chat': ['auto', 'any', 'none'],
  ai21: ['auto'],
  cohere: ['auto'],
};

/** Converse's ToolChoice union has auto, any and tool; no `none`. */
export const CONVERSE_TOOL_CHOICES: readonly ChoiceKind[] = ['auto', 'any', 'named'];

const FORMAT_NAMES: Partial<Record<ModelFamily, string>> = {
  anthropic: "Claude's Messages format",
  nova: "Nova's messages-v1 format",
  openai: "gpt-oss's chat format",
  'mistral-chat': "Mistral Large's chat format",
  ai21: "Jamba's chat format",
  cohere: "Command R's chat format",
  llama: "Llama's native prompt format (Bedrock documents no tools field for it)",
};

export function choiceKind(choice: ToolChoice): ChoiceKind {
  return typeof choice === 'object' ? 'named' : choice;
}

function describeChoice(choice: ToolChoice): string {
  return typeof choice === 'object' ? `{ name: ${JSON.stringify(choice.name)} }` : `'${choice}'`;
}

/** Whether the request uses tools at all: definitions, a choice, or tool parts in its messages. */
export function usesTools(request: NormalizedRequest): boolean {
  if (request.tools !== undefined || request.toolChoice !== undefined) return true;
  return request.messages.some(
    (message) =>
      typeof message.content !== 'string' &&
      message.content.some((part) => part.type === 'tool-call' || part.type === 'tool-result'),
  );
}

/** Refuses tools, tool parts or a tool choice that the family's native format cannot carry, naming the fix. */
export function checkNativeTools(family: ModelFamily, request: NormalizedRequest): void {
  if (!usesTools(request)) return;
  const choices = NATIVE_TOOL_CHOICES[family];
  const formatName = FORMAT_NAMES[family] ?? `The ${family} format`;
  if (choices === undefined) {
    throw new ValidationError(
      `${formatName} takes no tools: send this request with api: 'converse' (Bedrock's tool use for every model that supports it), or use a model whose format takes tools (Claude, Nova, Mistral Large, Command R, Jamba, gpt-oss).`,
      { code: 'ToolsNotSupported' },
    );
  }
  const choice = request.toolChoice;
  if (choice !== undefined && !choices.includes(choiceKind(choice))) {
    const takes = choices.map((c) => (c === 'named' ? '{ name }' : `'${c}'`)).join(', ');
    throw new ValidationError(
      `${formatName} cannot express toolChoice ${describeChoice(choice)} (it takes ${takes}): leave toolChoice out, or ${choiceFix(choice)}.`,
      { code: 'ToolChoiceNotSupported' },
    );
  }
}

/** Where the choice can be expressed: Converse has every choice but `none`, which only some native formats have. */
function choiceFix(choice: ToolChoice): string {
  return choiceKind(choice) === 'none'
    ? "leave the tools out of this request, or use Claude, Mistral Large or gpt-oss, whose formats take 'none'"
    : "send the request with api: 'converse', or use another model";
}

/** Converse takes tools for every model; only a `none` choice has no Converse form. */
export function checkConverseTools(request: NormalizedRequest): void {
  const choice = request.toolChoice;
  if (choice !== undefined && !CONVERSE_TOOL_CHOICES.includes(choiceKind(choice))) {
    throw new ValidationError(
      "Converse's toolChoice has no 'none' (it takes 'auto', 'any' and { name }): leave the tools out of this request, or leave toolChoice out (auto), or use api: 'invoke' with Claude, Mistral Large or gpt-oss, whose formats take 'none'.",
      { code: 'ToolChoiceNotSupported' },
    );
  }
}
