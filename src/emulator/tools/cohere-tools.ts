/**
 * Tool use in Cohere Command R's v1 chat body: `tools [{name, description, parameter_definitions:
 * {param: {type, description, required}}}]` (Python-style type names) and `tool_results [{call: {name,
 * parameters}, outputs: [{…}]}]`. Cohere has no tool choice and no call ids: calls are matched by name.
 */
import { malformedInput } from '../bedrock-error.js';
import type { ToolDefinition, ToolRequest, ToolResultText } from './tool-types.js';
import { TOOL_NAME_PATTERN } from './tool-types.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Cohere's parameter type names as JSON schema types. */
function schemaFor(type: unknown): Json {
  const name = typeof type === 'string' ? type.toLowerCase() : 'str';
  if (name.startsWith('list')) return { type: 'array', items: { type: 'string' } };
  if (name.startsWith('dict')) return { type: 'object', properties: {} };
  if (name === 'int') return { type: 'integer' };
  if (name === 'float' || name === 'number') return { type: 'number' };
  if (name === 'bool' || name === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

export function readCohereTools(raw: unknown): ToolRequest | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw malformedInput('#/tools: expected type: JSONArray, found: JSONObject');
  const definitions: ToolDefinition[] = raw.map((entry, i) => {
    const tool = record(entry) ?? {};
    if (tool.name === undefined) throw malformedInput(`#/tools/${i}: required key [name] not found`);
    if (typeof tool.name !== 'string' || !TOOL_NAME_PATTERN.test(tool.name)) {
      throw malformedInput(
        `#/tools/${i}/name: string [${String(tool.name)}] does not match pattern ^[a-zA-Z0-9_-]{1,64}$`,
      );
    }
    const parameters = tool.parameter_definitions === undefined ? {} : record(tool.parameter_definitions);
    if (parameters === undefined) {
      throw malformedInput(`#/tools/${i}/parameter_definitions: expected type: JSONObject, found: JSONArray`);
    }
    const properties: Json = {};
    const required: string[] = [];
    for (const [key, definition] of Object.entries(parameters)) {
      properties[key] = schemaFor(record(definition)?.type);
      if (record(definition)?.required === true) required.push(key);
    }
    return { name: tool.name, schema: { type: 'object', properties, required } };
  });
  return { definitions, choice: { type: 'auto' }, parallel: true, idStyle: 'cohere' };
}

/** `tool_results` as text: each output object as JSON. */
export function readCohereToolResults(raw: unknown): ToolResultText[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  return raw.map((entry) => {
    const result = record(entry) ?? {};
    const outputs = Array.isArray(result.outputs) ? result.outputs : [];
    return {
      id: String(record(result.call)?.name ?? ''),
      content: outputs.map((output) => JSON.stringify(output)).join(', '),
    };
  });
}
