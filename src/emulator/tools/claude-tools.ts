/**
 * Tool use in Claude's Messages body: `tools [{name, description, input_schema}]`, `tool_choice
 * {type: auto|any|tool|none, name?, disable_parallel_tool_use?}`, `tool_use` blocks in assistant turns and
 * `tool_result` blocks in user turns, validated with Anthropic's wording (which Bedrock passes through).
 */
import { BedrockServiceError } from '../bedrock-error.js';
import type { ToolChoice, ToolDefinition, ToolRequest, ToolResultText } from './tool-types.js';
import { TOOL_NAME_PATTERN } from './tool-types.js';

type Json = Record<string, unknown>;

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function readClaudeTools(rawTools: unknown, rawChoice: unknown): ToolRequest | undefined {
  if (rawTools === undefined) {
    if (rawChoice !== undefined && record(rawChoice)?.type !== 'none') {
      throw invalid('tool_choice may only be specified while providing tools.');
    }
    return undefined;
  }
  if (!Array.isArray(rawTools)) throw invalid('tools: Input should be a valid list');
  const definitions: ToolDefinition[] = rawTools.map((raw, i) => {
    const tool = record(raw) ?? {};
    const at = `tools.${i}.custom`;
    if (tool.name === undefined) throw invalid(`${at}.name: Field required`);
    if (typeof tool.name !== 'string' || !TOOL_NAME_PATTERN.test(tool.name)) {
      throw invalid(`${at}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
    }
    const schema = record(tool.input_schema);
    if (tool.input_schema === undefined) throw invalid(`${at}.input_schema: Field required`);
    if (schema === undefined) throw invalid(`${at}.input_schema: Input should be a valid dictionary`);
    if (schema.type !== 'object') throw invalid(`${at}.input_schema.type: Input should be 'object'`);
    return { name: tool.name, schema };
  });
  const names = new Set<string>();
  for (const { name } of definitions) {
    if (names.has(name)) throw invalid('tools: Tool names must be unique.');
    names.add(name);
  }
  const choice = record(rawChoice) ?? { type: 'auto' };
  return {
    definitions,
    choice: readChoice(choice, names),
    parallel: choice.disable_parallel_tool_use !== true,
    idStyle: 'claude',
  };
}

function readChoice(choice: Json, names: ReadonlySet<string>): ToolChoice {
  switch (choice.type) {
    case 'auto':
    case 'any':
    case 'none':
      return { type: choice.type };
    case 'tool': {
      if (typeof choice.name !== 'string') throw invalid('tool_choice.tool.name: Field required');
      if (!names.has(choice.name)) throw invalid(`Tool '${choice.name}' not found in provided tools`);
      return { type: 'tool', name: choice.name };
    }
    default:
      throw invalid(
        `tool_choice: Input tag '${String(choice.type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`,
      );
  }
}

/** The text of a `tool_result` content: a string, or its text blocks. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => (typeof record(block)?.text === 'string' ? (record(block)!.text as string) : ''))
    .join('');
}

/**
 * The tool results of the last user turn, checked against the previous assistant turn's tool_use blocks
 * (Anthropic's wording for a result without its call and for a call without its result).
 */
export function readClaudeToolResults(messages: readonly unknown[]): ToolResultText[] | undefined {
  const lastIndex = messages.length - 1;
  const last = record(messages[lastIndex]);
  if (last?.role !== 'user') return undefined;
  const blocks = Array.isArray(last.content) ? last.content.map((block) => record(block) ?? {}) : [];
  const previous = lastIndex > 0 ? record(messages[lastIndex - 1]) : undefined;
  const callIds = (Array.isArray(previous?.content) ? previous.content : [])
    .map((block) => record(block))
    .filter((block) => block?.type === 'tool_use')
    .map((block) => String(block!.id));
  const results: ToolResultText[] = [];
  blocks.forEach((block, j) => {
    if (block.type !== 'tool_result') return;
    const id = String(block.tool_use_id);
    if (!callIds.includes(id)) {
      throw invalid(
        `messages.${lastIndex}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
      );
    }
    results.push({ id, content: resultText(block.content) });
  });
  const missing = callIds.filter((id) => !results.some((result) => result.id === id));
  if (missing.length > 0) {
    throw invalid(
      `messages.${lastIndex - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
    );
  }
  return results.length > 0 ? results : undefined;
}
