/**
 * Converse-shaped tool use (bedrock-wire.md §4.3, §5), shared by the Converse API and Nova's native
 * messages-v1 body: `toolConfig` ({tools: [{toolSpec}], toolChoice}), `toolUse` blocks in assistant turns,
 * `toolResult` blocks (text or json content, `status: 'error'`) in user turns.
 */
import type { ContentPart, ToolChoice, ToolDefinition } from './content.js';

export interface ConverseStyleToolConfig {
  tools: Record<string, unknown>[];
  toolChoice?: Record<string, unknown>;
}

function toolChoiceBlock(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'object') return { tool: { name: choice.name } };
  // `none` has no Converse form; tool-support.ts refuses it before any call.
  return choice === 'none' ? undefined : { [choice]: {} };
}

/** `toolConfig` for the request's tools, or undefined when it has none. */
export function converseStyleToolConfig(
  tools: readonly ToolDefinition[] | undefined,
  choice: ToolChoice | undefined,
): ConverseStyleToolConfig | undefined {
  if (tools === undefined || tools.length === 0) return undefined;
  const config: ConverseStyleToolConfig = {
    tools: tools.map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        inputSchema: { json: tool.inputSchema },
      },
    })),
  };
  const toolChoice = toolChoiceBlock(choice);
  if (toolChoice !== undefined) config.toolChoice = toolChoice;
  return config;
}

/** The block for a tool-call or tool-result part, or undefined for any other part. */
export function converseStyleToolBlock(part: ContentPart): Record<string, unknown> | undefined {
  if (part.type === 'tool-call') {
    return { toolUse: { toolUseId: part.id, name: part.name, input: part.input ?? {} } };
  }
  if (part.type === 'tool-result') {
    const content = typeof part.content === 'string' ? { text: part.content } : { json: part.content.json };
    return {
      toolResult: {
        toolUseId: part.toolCallId,
        content: [content],
        ...(part.isError === true ? { status: 'error' } : {}),
      },
    };
  }
  return undefined;
}
