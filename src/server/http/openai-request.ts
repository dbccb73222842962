/**
 * The OpenAI Chat Completions request body (the subset that maps onto Bedrock text generation) and
 * its conversion to the server's request fields: text and `image_url` parts (data: URLs), function tools,
 * assistant `tool_calls` and `tool` results in the history. Unknown fields are ignored, as OpenAI clients
 * send many; fields that would change the answer's meaning and cannot be honoured (n > 1) are 400s.
 */
import { z } from 'zod';
import type { ChatMessage, ContentPart, ImageMediaType, ToolChoice, ToolDefinition } from '../../index.js';
import type { RequestFields } from './build-request.js';
import { badRequest } from './http-error.js';
import { parseBody } from './request-schemas.js';

const contentPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.looseObject({ url: z.string() }).optional(),
});

const toolCall = z.looseObject({
  id: z.string().min(1).max(200),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1).max(64), arguments: z.string() }),
});

const openaiMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z
    .union([z.string(), z.array(contentPart)])
    .nullable()
    .optional(),
  tool_calls: z.array(toolCall).nullable().optional(),
  tool_call_id: z.string().min(1).max(200).optional(),
});

const functionTool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) }),
]);

const positiveInt = z.number().int().positive().nullable().optional();

export const openaiChatSchema = z.looseObject({
  model: z.string().min(1).max(2048),
  messages: z.array(openaiMessage).min(1),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  max_tokens: positiveInt,
  max_completion_tokens: positiveInt,
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  stop: z
    .union([z.string(), z.array(z.string())])
    .nullable()
    .optional(),
  n: z.number().int().nullable().optional(),
  tools: z.array(functionTool).max(64).nullable().optional(),
  tool_choice: toolChoice.nullable().optional(),
});
export type OpenAIChatBody = z.infer<typeof openaiChatSchema>;

type OpenAIMessage = z.infer<typeof openaiMessage>;

/** A message's content as library parts: text, and images from `image_url` data: URLs (user turns only). */
function partsOf(content: OpenAIMessage['content'], index: number, imagesAllowed: boolean): ContentPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const parts = content.map((part, partIndex): ContentPart => {
    const field = `messages[${index}].content[${partIndex}]`;
    if (part.type === 'text' && part.text !== undefined) return { type: 'text', text: part.text };
    if (part.type === 'image_url' && part.image_url !== undefined && imagesAllowed) {
      return imagePart(part.image_url.url, `${field}.image_url.url`);
    }
    throw badRequest(
      `${field}.type`,
      `Content part type "${part.type}" is not supported${part.type === 'image_url' ? ' in this message' : ''}.`,
      'Send { "type": "text", "text": "..." } parts, and images as { "type": "image_url", "image_url": { "url": "data:image/png;base64,..." } } in user messages.',
    );
  });
  // Empty text parts carry nothing (and Bedrock refuses empty text blocks).
  return parts.filter((part) => part.type !== 'text' || part.text !== '');
}

const DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,(.*)$/s;

/** An image from a data: URL; the server fetches nothing (no remote URLs: no SSRF, no surprise latency). */
function imagePart(url: string, field: string): ContentPart {
  if (/^https?:/i.test(url)) {
    throw badRequest(
      field,
      'Image URLs are not fetched by this server.',
      'Send the image bytes as a data: URL, e.g. "data:image/png;base64,iVBORw0...".',
    );
  }
  const match = DATA_URL.exec(url);
  if (match === null) {
    throw badRequest(
      field,
      'The image is not a base64 data: URL of a PNG, JPEG, GIF or WebP image.',
      'Send "data:image/<png|jpeg|gif|webp>;base64,<the bytes in base64>".',
    );
  }
  return { type: 'image', mediaType: match[1] as ImageMediaType, data: match[2] ?? '' };
}

function textOnly(parts: readonly ContentPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function toolCallParts(message: OpenAIMessage, index: number): ContentPart[] {
  return (message.tool_calls ?? []).map((call, callIndex): ContentPart => {
    let input: unknown;
    try {
      input = JSON.parse(call.function.arguments === '' ? '{}' : call.function.arguments);
    } catch {
      throw badRequest(
        `messages[${index}].tool_calls[${callIndex}].function.arguments`,
        'The tool call arguments are not valid JSON.',
        'Send the arguments string exactly as the model produced it (a JSON object).',
      );
    }
    return { type: 'tool-call', id: call.id, name: call.function.name, input };
  });
}

function toolResultPart(message: OpenAIMessage, index: number): ContentPart {
  if (message.tool_call_id === undefined) {
    throw badRequest(
      `messages[${index}].tool_call_id`,
      'A "tool" message needs the id of the call it answers.',
      'Set "tool_call_id" to the id of the assistant\'s tool call.',
    );
  }
  return {
    type: 'tool-result',
    toolCallId: message.tool_call_id,
    content: textOnly(partsOf(message.content, index, false)),
  };
}

function toolDefinitions(tools: OpenAIChatBody['tools']): ToolDefinition[] | undefined {
  if (tools === undefined || tools === null || tools.length === 0) return undefined;
  return tools.map(({ function: fn }) => ({
    name: fn.name,
    inputSchema: fn.parameters ?? { type: 'object', properties: {} },
    ...(fn.description === undefined ? {} : { description: fn.description }),
  }));
}

function toolChoiceOf(choice: OpenAIChatBody['tool_choice']): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'required') return 'any';
  if (typeof choice === 'string') return choice;
  return { name: choice.function.name };
}

export function parseOpenAIChat(raw: unknown): { body: OpenAIChatBody; fields: RequestFields } {
  const body = parseBody(openaiChatSchema, raw);
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw badRequest('n', 'Only one choice per request is supported.', 'Set "n" to 1 or leave it out.');
  }
  const system: string[] = [];
  const messages: ChatMessage[] = [];
  body.messages.forEach((message, index) => {
    if (message.role === 'system' || message.role === 'developer') {
      system.push(textOnly(partsOf(message.content, index, false)));
      return;
    }
    const parts =
      message.role === 'tool'
        ? [toolResultPart(message, index)]
        : message.role === 'assistant'
          ? [...partsOf(message.content, index, false), ...toolCallParts(message, index)]
          : partsOf(message.content, index, true);
    if (parts.length === 0) {
      throw badRequest(
        `messages[${index}].content`,
        'Message content is empty.',
        'Give every user/assistant message some text (an assistant message may carry tool_calls instead).',
      );
    }
    const role = message.role === 'tool' ? 'user' : message.role;
    const last = messages.at(-1);
    const merges = last !== undefined && last.role === role && (message.role === 'tool' || hasToolResults(last));
    // Tool results (one `tool` message per call in OpenAI's format) join the user turn they belong to.
    if (merges) last.content = [...asParts(last.content), ...parts];
    else messages.push({ role, content: plainOrParts(parts) });
  });
  if (messages.length === 0) {
    throw badRequest('messages', 'There is no user message.', 'Add at least one { "role": "user", "content": "..." }.');
  }
  const fields: RequestFields = { model: body.model, messages };
  const tools = toolDefinitions(body.tools);
  if (tools !== undefined) fields.tools = tools;
  const choice = toolChoiceOf(body.tool_choice);
  if (choice !== undefined && tools !== undefined) fields.toolChoice = choice;
  if (system.length > 0) fields.system = system.join('\n\n');
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined && maxTokens !== null) fields.maxTokens = maxTokens;
  if (body.temperature !== undefined && body.temperature !== null) fields.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) fields.topP = body.top_p;
  if (body.stop !== undefined && body.stop !== null) {
    const stops = (typeof body.stop === 'string' ? [body.stop] : body.stop).filter((stop) => stop !== '');
    if (stops.length > 0) fields.stopSequences = stops;
  }
  return { body, fields };
}

function hasToolResults(message: ChatMessage): boolean {
  return typeof message.content !== 'string' && message.content.some((part) => part.type === 'tool-result');
}

function asParts(content: ChatMessage['content']): ContentPart[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : [...content];
}

/** Text alone stays a string, as before (every family takes it). */
function plainOrParts(parts: ContentPart[]): ChatMessage['content'] {
  return parts.every((part) => part.type === 'text') ? textOnly(parts) : parts;
}
