/**
 * zod schemas for the server's request bodies, and the translation of a zod failure into a 400 that
 * names the field and says how to fix it. Validation runs once per request, never per chunk.
 */
import { z } from 'zod';
import { badRequest, type HttpError } from './http-error.js';

/**
 * Content parts as JSON: the library's ContentPart with media as base64 strings (the body is JSON).
 * Sizes and base64 are checked after parsing (checkContentParts), where the message can name the limit.
 */
const contentPart = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().min(1) }),
  z.strictObject({
    type: z.literal('image'),
    mediaType: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
    data: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('document'),
    format: z.enum(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']),
    name: z.string().min(1).max(200),
    data: z.string().min(1),
  }),
  z.strictObject({
    type: z.literal('tool-call'),
    id: z.string().min(1).max(200),
    name: toolName(),
    input: z.unknown(),
  }),
  z.strictObject({
    type: z.literal('tool-result'),
    toolCallId: z.string().min(1).max(200),
    content: z.union([z.string(), z.strictObject({ json: z.unknown() })]),
    isError: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('cache-point') }),
]);

function toolName() {
  return z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .describe('tool name');
}

const message = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string().min(1), z.array(contentPart).min(1).max(100)]),
});

export const toolDefinitionSchema = z.strictObject({
  name: toolName(),
  description: z.string().max(10_000).optional(),
  inputSchema: z.looseObject({ type: z.literal('object') }),
});

const toolChoiceSchema = z.union([z.enum(['auto', 'any', 'none']), z.strictObject({ name: toolName() })]);

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
  /** Tools the caller declares: their calls end the answer (stop reason tool_use) for the caller to run. */
  tools: z.array(toolDefinitionSchema).min(1).max(64).optional(),
  toolChoice: toolChoiceSchema.optional(),
  /** Keep generating when the starting client goes away (others can attach later). */
  detached: z.boolean().optional(),
  ...common,
});
export type ChatBody = z.infer<typeof chatSchema>;

const FIX_HINTS: Record<string, string> = {
  prompt: 'Pass "prompt" as a non-empty string.',
  messages:
    'Pass "messages" as a non-empty array of { "role": "user" | "assistant", "content": "..." }; content may also be an array of parts (docs/server.md, "Content parts").',
  tools:
    'Pass "tools" as an array: on /api/chat { "name", "description", "inputSchema": { "type": "object", ... } }, on /v1/chat/completions { "type": "function", "function": { "name", "parameters" } }; names are 1-64 letters, digits, _ or -.',
  tool_choice:
    'Pass "tool_choice" as "none", "auto", "required" or { "type": "function", "function": { "name": "..." } }.',
  toolChoice: 'Pass "toolChoice" as "auto", "any", "none" or { "name": "<one of tools>" }.',
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
  const first = result.error.issues[0];
  throw issueToError(first === undefined ? undefined : innermost(first));
}

/**
 * The issue that names the real fault inside a union (`content` is a string or parts; a part is one of
 * several shapes): the branch that got furthest, with its path made absolute.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const branches = issue.errors.map((errors) => errors[0]).filter((sub) => sub !== undefined);
  if (branches.length === 0) return issue; // an unknown discriminator: its path already ends in `type`
  // The branch whose first issue lies deepest is the shape the caller meant.
  const deepest = branches.reduce((best, sub) => (sub.path.length >= best.path.length ? sub : best));
  return innermost({ ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue);
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
        ? `Set "${field}" to a non-empty string or a non-empty array of content parts.`
        : top === 'messages' && issue.path.includes('content')
          ? partHint(leaf)
          : (FIX_HINTS[top] ?? `Fix "${field}" as the message says.`);
  return badRequest(field, `Invalid "${field}": ${describe(issue)}.`, hint);
}

/** The fix for a bad content part, by the field at fault. */
function partHint(leaf: string): string {
  switch (leaf) {
    case 'type':
      return 'Set the part\'s "type" to one of "text", "image", "document", "tool-call", "tool-result", "cache-point".';
    case 'mediaType':
      return 'Set "mediaType" to "image/png", "image/jpeg", "image/gif" or "image/webp".';
    case 'format':
      return 'Set "format" to one of pdf, csv, doc, docx, xls, xlsx, html, txt, md.';
    case 'text':
      return 'Give a text part some text, or leave the part out.';
    case 'data':
      return 'Send the file\'s bytes as standard base64 in "data" (no data: prefix).';
    case 'name':
      return 'Give the part a "name": a document name (letters, digits, spaces, -, (), []) or a tool name (1-64 of A-Z a-z 0-9 _ -).';
    default:
      return 'Parts are { "type": "text", "text" }, { "type": "image", "mediaType", "data" }, { "type": "document", "format", "name", "data" }, { "type": "tool-call", "id", "name", "input" }, { "type": "tool-result", "toolCallId", "content" } or { "type": "cache-point" } (docs/server.md).';
  }
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
