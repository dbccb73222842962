/**
 * Turns a validated request body into the library's InferenceRequest, applying the server's limits
 * (prompt size, message count, output tokens) with 4xx errors that name the field and the fix.
 */
import type { ChatMessage, InferenceRequest, ToolChoice, ToolDefinition } from '../../index.js';
import type { ServerContext } from '../server-options.js';
import { messageChars } from './content-parts.js';
import { checkFamilyRanges } from './family-ranges.js';
import { badRequest, HttpError } from './http-error.js';

export interface RequestFields {
  prompt?: string | undefined;
  messages?: readonly ChatMessage[] | undefined;
  model?: string | undefined;
  system?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  topK?: number | undefined;
  stopSequences?: readonly string[] | undefined;
  api?: 'invoke' | 'converse' | undefined;
  reasoning?: { budgetTokens: number } | undefined;
  resume?: boolean | undefined;
  /** Tools the caller declares (its calls end the answer with stop reason tool_use). */
  tools?: readonly ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
}

export interface BuiltRequest {
  model: string;
  request: InferenceRequest;
  /** Characters of prompt text, for logs (the text itself is logged only with logPrompts). */
  promptChars: number;
}

export function buildInferenceRequest(fields: RequestFields, ctx: ServerContext): BuiltRequest {
  const { limits } = ctx;
  const messageField = fields.prompt !== undefined ? 'prompt' : 'messages';
  if (fields.messages !== undefined && fields.messages.length > limits.maxMessages) {
    throw badRequest(
      'messages',
      `Too many messages: ${fields.messages.length} (this server takes at most ${limits.maxMessages}).`,
      `Send at most ${limits.maxMessages} messages; drop or summarise the oldest turns.`,
    );
  }
  if (fields.messages !== undefined && fields.messages[0]?.role !== 'user') {
    throw badRequest(
      'messages[0].role',
      'The conversation must start with a user message.',
      'Make messages[0] a "user" turn.',
    );
  }
  let promptChars = fields.prompt?.length ?? 0;
  for (const message of fields.messages ?? []) promptChars += messageChars(message);
  promptChars += fields.system?.length ?? 0;
  if (promptChars > limits.maxPromptChars) {
    throw new HttpError(
      413,
      'prompt_too_large',
      `The prompt is ${promptChars} characters; the limit is ${limits.maxPromptChars}.`,
      {
        field: messageField,
        fix: `Shorten the prompt, system text and messages to at most ${limits.maxPromptChars} characters in all.`,
      },
    );
  }
  if (fields.maxTokens !== undefined && fields.maxTokens > limits.maxOutputTokens) {
    throw badRequest(
      'maxTokens',
      `maxTokens ${fields.maxTokens} is above this server's limit of ${limits.maxOutputTokens}.`,
      `Ask for at most ${limits.maxOutputTokens} tokens.`,
    );
  }
  const model = fields.model ?? ctx.defaultModel;
  // Model ids, profile ids and ARNs are printable ASCII; anything else (a NUL, a newline) is a typo or an attack.
  if (!/^[\x21-\x7e]+$/.test(model)) {
    throw badRequest(
      'model',
      'The model id contains a control character, a space or a non-ASCII character.',
      'Pass a Bedrock model id such as "anthropic.claude-3-haiku-20240307-v1:0" (GET /api/models lists them).',
    );
  }
  checkFamilyRanges(model, fields);
  checkToolChoice(fields);
  const request: InferenceRequest = { modelId: model };
  if (fields.prompt !== undefined) request.prompt = fields.prompt;
  if (fields.messages !== undefined) request.messages = fields.messages;
  if (fields.system !== undefined) request.system = fields.system;
  if (fields.maxTokens !== undefined) request.maxTokens = fields.maxTokens;
  if (fields.temperature !== undefined) request.temperature = fields.temperature;
  if (fields.topP !== undefined) request.topP = fields.topP;
  if (fields.topK !== undefined) request.topK = fields.topK;
  if (fields.stopSequences !== undefined) request.stopSequences = fields.stopSequences;
  if (fields.api !== undefined) request.api = fields.api;
  if (fields.reasoning !== undefined) request.reasoning = fields.reasoning;
  if (fields.resume !== undefined) request.resume = fields.resume;
  if (fields.tools !== undefined && fields.tools.length > 0) request.tools = fields.tools;
  if (fields.toolChoice !== undefined) request.toolChoice = fields.toolChoice;
  // The operator's guardrail applies to every request; callers cannot choose or remove it.
  if (ctx.guardrail !== undefined) request.guardrail = ctx.guardrail;
  return { model, request, promptChars };
}

/** A tool choice needs tools, and a named one must be among them. */
function checkToolChoice(fields: RequestFields): void {
  const choice = fields.toolChoice;
  if (choice === undefined || choice === 'auto' || choice === 'none') return;
  const names = (fields.tools ?? []).map((tool) => tool.name);
  if (names.length === 0) {
    throw badRequest(
      'toolChoice',
      'toolChoice asks for a tool call, but the request declares no tools.',
      'Add "tools", or leave "toolChoice" out.',
    );
  }
  if (typeof choice === 'object' && !names.includes(choice.name)) {
    throw badRequest(
      'toolChoice.name',
      `toolChoice names "${choice.name}", which is not among the declared tools (${names.join(', ')}).`,
      'Name one of the declared tools, or use "auto" or "any".',
    );
  }
}
