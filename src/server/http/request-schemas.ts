/**
 * zod schemas for the server's request bodies, and the translation of a zod failure into a 400 that
 * names the field and says how to fix it. Validation runs once per request, never per chunk.
 */
import { z } from 'zod';
import { badRequest, type HttpError } from './http-error.js';

const message = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.string().min(1),
});

const common = {
  model: z.string().min(1).max(2048).optional(),
  system: z.string().optional(),
  maxTokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.number().int().positive().optional(),
  stopSequences: z.array(z.string().min(1)).max(16).optional(),
  api: z.enum(['invoke', 'converse']).optional(),
  reasoning: z.strictObject({ budgetTokens: z.number().int().positive() }).optional(),
};

export const streamCompletionSchema = z.strictObject({ prompt: z.string().min(1), ...common });
export type StreamCompletionBody = z.infer<typeof streamCompletionSchema>;

export const chatSchema = z.strictObject({
  messages: z.array(message).min(1),
  resume: z.boolean().optional(),
  /** Keep generating when the starting client goes away (others can attach later). */
  detached: z.boolean().optional(),
  ...common,
});
export type ChatBody = z.infer<typeof chatSchema>;

const FIX_HINTS: Record<string, string> = {
  prompt: 'Pass "prompt" as a non-empty string.',
  messages: 'Pass "messages" as a non-empty array of { "role": "user" | "assistant", "content": "..." }.',
  model: 'Pass a Bedrock model id such as "anthropic.claude-3-haiku-20240307-v1:0" (GET /api/models lists them).',
  maxTokens: 'Pass "maxTokens" as a positive whole number.',
  temperature: 'Pass "temperature" as a number from 0 to 2.',
  topP: 'Pass "topP" as a number from 0 to 1.',
  topK: 'Pass "topK" as a positive whole number.',
  stopSequences: 'Pass "stopSequences" as an array of at most 16 non-empty strings.',
  api: 'Pass "api" as "invoke" or "converse".',
};

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Parses `body` with `schema`, or throws a 400 naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('body', 'The request body must be a JSON object.', 'Send a JSON object, e.g. {"prompt":"Hello"}.');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw issueToError(result.error.issues[0]);
}

function issueToError(issue: z.core.$ZodIssue | undefined): HttpError {
  if (issue === undefined)
    return badRequest('body', 'The request body is invalid.', 'Check it against docs/server.md.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const field = fieldPath([...issue.path, key]);
    return badRequest(
      field,
      `Unknown field "${field}".`,
      `Remove "${field}"; docs/server.md lists the accepted fields.`,
    );
  }
  const field = fieldPath(issue.path) || 'body';
  const top = String(issue.path[0] ?? '');
  const leaf = String(issue.path[issue.path.length - 1] ?? '');
  const hint =
    top === 'messages' && leaf === 'role'
      ? `Set "${field}" to "user" or "assistant".`
      : top === 'messages' && leaf === 'content'
        ? `Set "${field}" to a non-empty string.`
        : (FIX_HINTS[top] ?? `Fix "${field}" as the message says.`);
  return badRequest(field, `Invalid "${field}": ${describe(issue)}.`, hint);
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.message.endsWith('received undefined')
        ? 'it is required'
        : `expected ${issue.expected === 'int' ? 'a whole number' : issue.expected}`;
    case 'too_small':
      return issue.origin === 'string' || issue.origin === 'array'
        ? 'it is empty'
        : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    default:
      return issue.message;
  }
}
