/**
 * The OpenAI Chat Completions request body (the subset that maps onto Bedrock text generation) and
 * its conversion to the server's request fields. Unknown fields are ignored, as OpenAI clients send
 * many; fields that would change the answer's meaning and cannot be honoured (tools, n > 1) are 400s.
 */
import { z } from 'zod';
import type { ChatMessage } from '../../index.js';
import type { RequestFields } from './build-request.js';
import { badRequest } from './http-error.js';
import { parseBody } from './request-schemas.js';

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const openaiMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(contentPart)]).nullable(),
});

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
  tools: z.array(z.unknown()).nullable().optional(),
});
export type OpenAIChatBody = z.infer<typeof openaiChatSchema>;

function textOf(content: z.infer<typeof openaiMessage>['content'], index: number): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  content.forEach((part, partIndex) => {
    if (part.type !== 'text' || part.text === undefined) {
      throw badRequest(
        `messages[${index}].content[${partIndex}].type`,
        `Content part type "${part.type}" is not supported.`,
        'Send text only: a string, or parts of { "type": "text", "text": "..." }.',
      );
    }
    text += part.text;
  });
  return text;
}

export function parseOpenAIChat(raw: unknown): { body: OpenAIChatBody; fields: RequestFields } {
  const body = parseBody(openaiChatSchema, raw);
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw badRequest('n', 'Only one choice per request is supported.', 'Set "n" to 1 or leave it out.');
  }
  if (body.tools !== undefined && body.tools !== null && body.tools.length > 0) {
    throw badRequest('tools', 'Tool calls are not supported by this server.', 'Leave "tools" out.');
  }
  const system: string[] = [];
  const messages: ChatMessage[] = [];
  body.messages.forEach((message, index) => {
    const text = textOf(message.content, index);
    if (message.role === 'system' || message.role === 'developer') system.push(text);
    else if (text === '') {
      throw badRequest(
        `messages[${index}].content`,
        'Message content is empty.',
        'Give every user/assistant message some text.',
      );
    } else messages.push({ role: message.role, content: text });
  });
  if (messages.length === 0) {
    throw badRequest('messages', 'There is no user message.', 'Add at least one { "role": "user", "content": "..." }.');
  }
  const fields: RequestFields = { model: body.model, messages };
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
