/**
 * Claude's Messages tool use (bedrock-wire.md §4.1): `tools` with `input_schema`, `tool_choice`
 * ({type: auto|any|none|tool}), `tool_use` blocks in assistant turns and `tool_result` blocks (with
 * `is_error`) in user turns; streamed calls arrive as a `tool_use` content block whose input comes in
 * `input_json_delta` fragments.
 */
import type { ContentPart, ToolChoice, ToolDefinition } from './content.js';

export function claudeTools(tools: readonly ToolDefinition[] | undefined): Record<string, unknown>[] | undefined {
  if (tools === undefined || tools.length === 0) return undefined;
  return tools.map((tool) => ({
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.inputSchema,
  }));
}

export function claudeToolChoice(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  return typeof choice === 'object' ? { type: 'tool', name: choice.name } : { type: choice };
}

/** A tool result's content as Claude takes it: text as is, JSON as its text. */
function resultText(content: string | { json: unknown }): string {
  return typeof content === 'string' ? content : JSON.stringify(content.json);
}

/** The block for a tool-call or tool-result part, or undefined for any other part. */
export function claudeToolBlock(part: ContentPart): Record<string, unknown> | undefined {
  if (part.type === 'tool-call') return { type: 'tool_use', id: part.id, name: part.name, input: part.input ?? {} };
  if (part.type === 'tool-result') {
    return {
      type: 'tool_result',
      tool_use_id: part.toolCallId,
      content: resultText(part.content),
      ...(part.isError === true ? { is_error: true } : {}),
    };
  }
  return undefined;
}
