/**
 * Small helpers the adapters share to build request bodies (never used per chunk).
 */
import { textOnly } from './content.js';
import type { ChatMessage, NormalizedRequest } from './types.js';

/** Copies the defined entries only, so optional settings the caller left out never reach the body. */
export function defined(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) if (fields[key] !== undefined) out[key] = fields[key];
  return out;
}

/** The request's body fields plus `additionalFields`, which win (the caller's escape hatch). */
export function withAdditional(request: NormalizedRequest, body: Record<string, unknown>): Record<string, unknown> {
  return request.additionalFields === undefined ? defined(body) : { ...defined(body), ...request.additionalFields };
}

/** A trailing assistant message is a prefill: the model continues it. */
export function splitPrefill(messages: readonly ChatMessage[]): {
  turns: readonly ChatMessage[];
  prefill: string | undefined;
} {
  const last = messages[messages.length - 1];
  if (last?.role !== 'assistant') return { turns: messages, prefill: undefined };
  return { turns: messages.slice(0, -1), prefill: textOnly(last.content, 'A prefill') };
}

export function stopList(request: NormalizedRequest): string[] | undefined {
  return request.stopSequences === undefined || request.stopSequences.length === 0
    ? undefined
    : [...request.stopSequences];
}
