/**
 * Checks a request's `tools` and `toolChoice` once, up front, and copies them into the NormalizedRequest:
 * names Bedrock accepts, unique, an object input schema, a choice that names a defined tool. Bedrock would
 * refuse each of these after a round trip; here the message names the field and the fix.
 */
import { ValidationError } from '../errors.js';
import type { ChatMessage, NormalizedRequest } from '../models/types.js';
import type { InferenceRequest } from './types.js';

/** Bedrock's tool-name pattern (Converse ToolSpecification.name; Claude and OpenAI-style take the same). */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function fail(message: string): never {
  throw new ValidationError(message);
}

function checkTools(request: InferenceRequest): void {
  const { tools } = request;
  if (tools === undefined) return;
  if (!Array.isArray(tools)) fail('`tools` must be an array of { name, description?, inputSchema }.');
  const seen = new Set<string>();
  tools.forEach((tool, index) => {
    const where = `tools[${index}]`;
    if (typeof tool !== 'object' || tool === null) fail(`${where} must be { name, description?, inputSchema }.`);
    if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
      fail(`${where}.name must be 1-64 letters, digits, _ or - (got ${JSON.stringify(tool.name)}).`);
    }
    if (seen.has(tool.name)) fail(`${where}.name "${tool.name}" is used twice: tool names must be unique.`);
    seen.add(tool.name);
    if (tool.description !== undefined && typeof tool.description !== 'string')
      fail(`${where}.description must be a string.`);
    const schema = tool.inputSchema;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      fail(`${where}.inputSchema must be a JSON Schema object such as { type: 'object', properties: {...} }.`);
    }
    if (schema.type !== undefined && schema.type !== 'object') {
      fail(`${where}.inputSchema must describe an object (type: 'object'); a tool's input is always an object.`);
    }
  });
}

function checkToolChoice(request: InferenceRequest): void {
  const choice = request.toolChoice;
  if (choice === undefined) return;
  const names = (request.tools ?? []).map((tool) => tool.name);
  if (typeof choice === 'object' && choice !== null) {
    if (typeof choice.name !== 'string' || !names.includes(choice.name)) {
      fail(
        `toolChoice names ${JSON.stringify(choice.name)}, which is not among the tools (${names.join(', ') || 'none given'}): pass that tool in \`tools\`.`,
      );
    }
    return;
  }
  if (choice !== 'auto' && choice !== 'any' && choice !== 'none') {
    fail(`toolChoice must be 'auto', 'any', 'none' or { name } (got ${JSON.stringify(choice)}).`);
  }
  if (names.length === 0 && choice !== 'none')
    fail(`toolChoice '${choice}' needs \`tools\`: pass the tools the model may call.`);
}

/**
 * Tool-call and tool-result parts: well formed, each result answering a call made earlier in the
 * conversation, and the tools defined (Bedrock refuses tool blocks in a request without tool definitions).
 */
function checkToolParts(request: InferenceRequest, messages: readonly ChatMessage[]): void {
  const callIds = new Set<string>();
  messages.forEach((message, index) => {
    if (typeof message.content === 'string') return;
    message.content.forEach((part, partIndex) => {
      const where = `messages[${index}].content[${partIndex}]`;
      if (part.type !== 'tool-call' && part.type !== 'tool-result') return;
      if (request.tools === undefined || request.tools.length === 0) {
        fail(
          `${where} is a ${part.type} part, and the request has no \`tools\`: Bedrock needs the tool definitions whenever the conversation holds tool calls or results; pass the same tools again.`,
        );
      }
      if (part.type === 'tool-call') {
        if (message.role !== 'assistant')
          fail(`${where}: a tool-call part belongs in an assistant turn (the model made the call).`);
        if (typeof part.id !== 'string' || part.id === '' || typeof part.name !== 'string' || part.name === '') {
          fail(`${where}: a tool-call part needs the call's id and name, as the tool-call event gave them.`);
        }
        callIds.add(part.id);
        return;
      }
      if (message.role !== 'user')
        fail(`${where}: a tool-result part belongs in a user turn (it answers the model's call).`);
      if (!callIds.has(part.toolCallId)) {
        fail(
          `${where} answers tool call ${JSON.stringify(part.toolCallId)}, which no earlier assistant turn made: pass the assistant's tool-call part before it, with the same id.`,
        );
      }
      const content: unknown = part.content;
      const isJson = typeof content === 'object' && content !== null && 'json' in content;
      if (typeof content !== 'string' && !isJson) fail(`${where}.content must be a string or { json }.`);
    });
  });
}

/** Checks the tool options and copies the given ones into `normalized`. */
export function applyToolOptions(request: InferenceRequest, normalized: NormalizedRequest): void {
  checkTools(request);
  checkToolChoice(request);
  checkToolParts(request, normalized.messages);
  if (request.tools !== undefined && request.tools.length > 0) normalized.tools = request.tools;
  if (request.toolChoice !== undefined) normalized.toolChoice = request.toolChoice;
}
