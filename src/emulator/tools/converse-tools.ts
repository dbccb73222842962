/**
 * Tool use in Converse's spelling, shared by the Converse API and Nova's InvokeModel body:
 * `toolConfig {tools: [{toolSpec: {name, description, inputSchema: {json}}}], toolChoice: {auto|any|tool}}`,
 * `toolUse {toolUseId, name, input}` blocks in assistant turns and `toolResult {toolUseId, content}` blocks
 * in user turns. Validation words errors as Bedrock's Converse does.
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

function constraint(value: unknown, path: string, rule: string): BedrockServiceError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return invalid(`1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${rule}`);
}

/** Reads `toolConfig`; undefined when absent. `parallel` is always allowed in Converse. */
export function readConverseToolConfig(raw: unknown): ToolRequest | undefined {
  if (raw === undefined) return undefined;
  const config = record(raw) ?? {};
  const tools = config.tools;
  if (!Array.isArray(tools) || tools.length === 0) {
    throw constraint(tools, 'toolConfig.tools', 'Member must have length greater than or equal to 1');
  }
  const definitions: ToolDefinition[] = [];
  tools.forEach((entry, i) => {
    const tool = record(entry) ?? {};
    // Cache points may sit among the tools (prompt caching); they are not tools.
    if (tool.cachePoint !== undefined) return;
    const spec = record(tool.toolSpec);
    if (spec === undefined)
      throw constraint(undefined, `toolConfig.tools.${i + 1}.member.toolSpec`, 'Member must not be null');
    const name = spec.name;
    const namePath = `toolConfig.tools.${i + 1}.member.toolSpec.name`;
    if (typeof name !== 'string') throw constraint(name, namePath, 'Member must not be null');
    if (!TOOL_NAME_PATTERN.test(name)) {
      throw constraint(name, namePath, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+');
    }
    const schema = record(record(spec.inputSchema)?.json);
    if (schema === undefined || (schema.type !== undefined && schema.type !== 'object')) {
      throw invalid(
        `The value at toolConfig.tools.${i}.toolSpec.inputSchema.json.type must be one of the following: object.`,
      );
    }
    if (definitions.some((tool) => tool.name === name)) {
      throw invalid(`The toolConfig contains duplicate tool names: ${name}.`);
    }
    definitions.push({ name, schema });
  });
  return { definitions, choice: readChoice(config.toolChoice, definitions), parallel: true, idStyle: 'converse' };
}

function readChoice(raw: unknown, definitions: readonly ToolDefinition[]): ToolChoice {
  const choice = record(raw);
  if (choice === undefined || choice.auto !== undefined) return { type: 'auto' };
  if (choice.any !== undefined) return { type: 'any' };
  const name = record(choice.tool)?.name;
  if (typeof name === 'string') {
    if (!definitions.some((tool) => tool.name === name)) {
      throw invalid(`The tool ${name} specified in toolChoice is not defined in toolConfig.tools.`);
    }
    return { type: 'tool', name };
  }
  return { type: 'auto' };
}

/** The text of a tool result's content blocks (`text`, `json`; media are named). */
export function converseResultText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => {
      const item = record(block) ?? {};
      if (typeof item.text === 'string') return item.text;
      if (item.json !== undefined) return JSON.stringify(item.json);
      return '';
    })
    .join('');
}

/**
 * The tool results of the last user turn, checked against the toolUse blocks of the assistant turn before
 * it (Bedrock's wording when they do not match), and the rule that tool blocks need a toolConfig.
 */
export function readConverseToolResults(
  messages: unknown,
  tools: ToolRequest | undefined,
): ToolResultText[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  let hasToolBlocks = false;
  for (const message of messages) {
    for (const block of blocksOf(message)) {
      if (block.toolUse !== undefined || block.toolResult !== undefined) hasToolBlocks = true;
    }
  }
  if (!hasToolBlocks) return undefined;
  if (tools === undefined) {
    throw invalid('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
  }
  const lastIndex = messages.length - 1;
  const last = record(messages[lastIndex]);
  if (last?.role !== 'user') return undefined;
  const results = blocksOf(last)
    .map((block) => record(block.toolResult))
    .filter((result): result is Json => result !== undefined)
    .map((result) => ({ id: String(result.toolUseId), content: converseResultText(result.content) }));
  const previous = lastIndex > 0 ? messages[lastIndex - 1] : undefined;
  const callIds = blocksOf(previous)
    .map((block) => record(block.toolUse)?.toolUseId)
    .filter((id): id is string => typeof id === 'string');
  if (results.length > callIds.length) {
    throw invalid(
      `The number of toolResult blocks at messages.${lastIndex}.content exceeds the number of toolUse blocks of previous turn.`,
    );
  }
  const missing = callIds.filter((id) => !results.some((result) => result.id === id));
  if (missing.length > 0) {
    throw invalid(
      `Expected toolResult blocks at messages.${lastIndex}.content for the following Ids: ${missing.join(', ')}`,
    );
  }
  return results.length > 0 ? results : undefined;
}

function blocksOf(message: unknown): Json[] {
  const content = record(message)?.content;
  if (!Array.isArray(content)) return [];
  return content.map((block) => record(block) ?? {});
}
