/**
 * Tools the operator registers on the server (`createServer({ tools })`), in the library's own shape
 * (`{ description, inputSchema, execute }` keyed by name, as `client.runTools` takes them), so one object
 * serves both. /api/chat offers them to the model and runs them with the library's multi-step helper.
 */
import type { RunnableTool, ToolDefinition } from '../index.js';

export type ServerTools = Record<string, RunnableTool<never>>;

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Checked once at startup: a bad tool is the operator's bug, reported before any request. */
export function checkServerTools(tools: ServerTools | undefined): ServerTools | undefined {
  if (tools === undefined || Object.keys(tools).length === 0) return undefined;
  for (const [name, tool] of Object.entries(tools)) {
    if (!TOOL_NAME.test(name))
      throw new TypeError(`Server tool name ${JSON.stringify(name)}: use 1-64 letters, digits, _ or -.`);
    if (typeof tool.execute !== 'function')
      throw new TypeError(`Server tool "${name}" has no execute(input, context) function.`);
    if (typeof tool.inputSchema !== 'object' || tool.inputSchema === null) {
      throw new TypeError(`Server tool "${name}" needs an inputSchema (a JSON Schema object).`);
    }
  }
  return tools;
}

/** Definitions as the model sees them, without undefined fields (from a request body or server tools). */
export function toolDefinitions(
  tools: readonly { name: string; description?: string | undefined; inputSchema: Record<string, unknown> }[],
): ToolDefinition[] {
  return tools.map(({ name, description, inputSchema }) => ({
    name,
    inputSchema,
    ...(description === undefined ? {} : { description }),
  }));
}

export function serverToolDefinitions(tools: ServerTools): ToolDefinition[] {
  return toolDefinitions(Object.entries(tools).map(([name, tool]) => ({ ...tool, name })));
}
