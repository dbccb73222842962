/**
 * Tool use in the OpenAI chat spelling that Mistral chat, AI21 Jamba and gpt-oss take on Bedrock:
 * `tools [{type: 'function', function: {name, description, parameters}}]`, `tool_choice` (auto | none |
 * any / required | {type: 'function', function: {name}}), assistant `tool_calls` and `role: 'tool'` results
 * with `tool_call_id`. Also the streamed `tool_calls` entries these families send.
 */
import { malformedInput } from '../bedrock-error.js';
import { BedrockServiceError } from '../bedrock-error.js';
import type {
  ToolCallRef,
  ToolChoice,
  ToolDefinition,
  ToolIdStyle,
  ToolRequest,
  ToolResultText,
} from './tool-types.js';
import { TOOL_NAME_PATTERN } from './tool-types.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function readOpenAiTools(
  rawTools: unknown,
  rawChoice: unknown,
  options: { idStyle: ToolIdStyle; parallel?: unknown },
): ToolRequest | undefined {
  if (rawTools === undefined) return undefined;
  if (!Array.isArray(rawTools)) throw malformedInput('#/tools: expected type: JSONArray, found: JSONObject');
  const definitions: ToolDefinition[] = rawTools.map((raw, i) => {
    const fn = record(record(raw)?.function);
    if (fn === undefined) throw malformedInput(`#/tools/${i}: required key [function] not found`);
    if (fn.name === undefined) throw malformedInput(`#/tools/${i}/function: required key [name] not found`);
    if (typeof fn.name !== 'string' || !TOOL_NAME_PATTERN.test(fn.name)) {
      throw malformedInput(
        `#/tools/${i}/function/name: string [${String(fn.name)}] does not match pattern ^[a-zA-Z0-9_-]{1,64}$`,
      );
    }
    const schema = fn.parameters === undefined ? { type: 'object', properties: {} } : record(fn.parameters);
    if (schema === undefined || (schema.type !== undefined && schema.type !== 'object')) {
      throw malformedInput(
        `#/tools/${i}/function/parameters: the parameters of a function must be a JSON schema of type object`,
      );
    }
    return { name: fn.name, schema };
  });
  return {
    definitions,
    choice: readChoice(rawChoice, definitions),
    parallel: options.parallel !== false,
    idStyle: options.idStyle,
  };
}

function readChoice(raw: unknown, definitions: readonly ToolDefinition[]): ToolChoice {
  if (raw === undefined || raw === 'auto') return { type: 'auto' };
  if (raw === 'none') return { type: 'none' };
  if (raw === 'any' || raw === 'required') return { type: 'any' };
  const name = record(record(raw)?.function)?.name;
  if (typeof name === 'string') {
    if (!definitions.some((tool) => tool.name === name)) {
      throw new BedrockServiceError(
        'ValidationException',
        `tool_choice names the function ${name}, which is not in tools.`,
      );
    }
    return { type: 'tool', name };
  }
  throw malformedInput(`#/tool_choice: ${JSON.stringify(raw)} is not a valid enum value`);
}

/**
 * The `role: 'tool'` messages after the last assistant message, checked against that message's tool_calls.
 * Only when the conversation ends with them (a later user message is a new question).
 */
export function readOpenAiToolResults(messages: unknown): ToolResultText[] | undefined {
  if (!Array.isArray(messages)) return undefined;
  let lastAssistant = -1;
  messages.forEach((message, i) => {
    if (record(message)?.role === 'assistant') lastAssistant = i;
  });
  const trailing = messages.slice(lastAssistant + 1).map((message) => record(message) ?? {});
  if (!trailing.some((message) => message.role === 'tool')) return undefined;
  const calls = lastAssistant < 0 ? [] : record(messages[lastAssistant])?.tool_calls;
  const callIds = (Array.isArray(calls) ? calls : []).map((call) => String(record(call)?.id));
  const results: ToolResultText[] = [];
  trailing.forEach((message, offset) => {
    if (message.role !== 'tool') return;
    const id = String(message.tool_call_id);
    if (!callIds.includes(id)) {
      throw new BedrockServiceError(
        'ValidationException',
        `messages.${lastAssistant + 1 + offset}: tool_call_id ${id} does not match any tool call of the previous assistant message.`,
      );
    }
    results.push({
      id,
      content: typeof message.content === 'string' ? message.content : JSON.stringify(message.content),
    });
  });
  return results;
}

/** One streamed `tool_calls` entry: the first fragment of a call carries its id and name. */
export function toolCallDelta(call: ToolCallRef, fragment: string, first: boolean): Json {
  return first
    ? { index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: fragment } }
    : { index: call.index, function: { arguments: fragment } };
}

/** Whole `tool_calls` for a non-streaming message. */
export function wholeToolCalls(calls: readonly { id: string; name: string; json: string }[]): Json[] {
  return calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.json } }));
}
