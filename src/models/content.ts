import { ValidationError } from '../errors.js';

/**
 * What a conversation carries beyond plain text: content parts (images, documents, tool calls and their
 * results, cache points), tool definitions, guardrails and per-request service options. These are the
 * library's own terms; each family's adapter maps them to its wire format (bedrock-wire.md §1.2, 2.3, 4.x,
 * 5, 6) or refuses them with a ValidationError that names the fix.
 */

export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

export type DocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image';
  mediaType: ImageMediaType;
  /** The image's bytes, or the same bytes in base64. */
  data: Uint8Array | string;
}

export interface DocumentPart {
  type: 'document';
  format: DocumentFormat;
  /** Shown to the model; Bedrock allows letters, digits, whitespace, hyphens, parentheses and brackets. */
  name: string;
  /** The document's bytes, or the same bytes in base64. */
  data: Uint8Array | string;
}

/** A tool call the model made (an assistant turn), as sent back in the history. */
export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  input: unknown;
}

/** The result of running a tool (a user turn), answering the tool call with the same id. */
export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Text, or any JSON value; an error result tells the model the tool failed. */
  content: string | { json: unknown };
  isError?: boolean | undefined;
}

/** Everything before this point may be cached by Bedrock (Converse `cachePoint`, Claude `cache_control`). */
export interface CachePointPart {
  type: 'cache-point';
}

export type ContentPart = TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | CachePointPart;

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the tool's input (an object schema). */
  inputSchema: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'any' | 'none' | { name: string };

export interface GuardrailConfig {
  id: string;
  version: string;
  /**
   * Hand on Bedrock's guardrail trace in the `guardrail` event. The client asks Bedrock for the trace
   * with every guardrail (Converse `trace: enabled`, InvokeModel `X-Amzn-Bedrock-Trace`): it tells which
   * side was blocked.
   */
  trace?: boolean;
  /**
   * `sync` (Bedrock's default) checks each chunk before it is sent; `async` sends chunks at once and
   * checks in the background, so text already streamed may later be withdrawn.
   */
  streamProcessingMode?: 'sync' | 'async';
}

/** Where cache points go besides the ones placed in messages as `cache-point` parts. */
export interface CachePoints {
  /** After the system prompt. */
  system?: boolean;
  /** After the tool definitions. */
  tools?: boolean;
}

export interface ServiceOptions {
  /** Bedrock's latency-optimised inference where the model offers it. */
  performanceConfig?: { latency: 'standard' | 'optimized' };
  serviceTier?: 'default' | 'priority' | 'flex';
  /** Key/value pairs Bedrock records with the invocation (Converse `requestMetadata`). */
  requestMetadata?: Record<string, string>;
}

/**
 * The text of a message for request formats that take text only: a string as is, text parts joined.
 * Any other part is refused with the fix, never dropped (an image silently lost would be a wrong answer).
 */
export function textOnly(content: string | readonly ContentPart[], where: string): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) {
    if (part.type === 'text') text += part.text;
    else if (part.type !== 'cache-point') {
      throw new ValidationError(
        `${where} takes text only, and this message has a ${part.type} part: send it with api: 'converse' or to a model whose format takes ${part.type} parts`,
      );
    }
  }
  return text;
}
