/**
 * Resuming an interrupted answer: the text so far goes back as an assistant prefill, the token budget
 * shrinks by what was generated, and a Stitcher drops the overlap (whitespace we trimmed from the
 * prefill, which Bedrock rejects, and which the model then generates again) so the caller sees one
 * continuous text.
 */
import { AbortError, StreamInterruptedError, TimeoutError, type BedrockInferenceError } from '../errors.js';
import type { ChatMessage, ModelAdapter, ModelFamily, NormalizedRequest } from '../models/types.js';
import { estimateTokens } from './request.js';
import type { BedrockStreamingClientOptions } from './types.js';

export interface ResumePolicy {
  enabled: boolean;
  maxResumes: number;
}

export function resolveResumePolicy(...options: (BedrockStreamingClientOptions['resume'] | undefined)[]): ResumePolicy {
  let policy: ResumePolicy = { enabled: false, maxResumes: 2 };
  for (const option of options) {
    if (option === undefined) continue;
    if (typeof option === 'boolean') policy = { ...policy, enabled: option };
    else policy = { enabled: true, maxResumes: option.maxResumes ?? policy.maxResumes };
  }
  return policy;
}

/** Whether this mid-stream failure is one a continuation can repair. */
export function isResumable(error: BedrockInferenceError): boolean {
  if (error instanceof AbortError) return false;
  if (error instanceof TimeoutError) return error.timeout === 'betweenChunks';
  return error.retryable || error instanceof StreamInterruptedError;
}

/**
 * Why the request formats of these families cannot continue a partial answer: they take no trailing
 * assistant turn as a prefix of the reply (a trailing assistant message is history, not a prefill).
 */
const NO_CONTINUATION: Partial<Record<ModelFamily, string>> = {
  'mistral-chat':
    "Mistral Large's chat format on Bedrock takes a trailing assistant message as history, not as the start of its reply",
  cohere: "Command R's chat format has no assistant prefill (chat_history and message only)",
  ai21: "Jamba's chat format takes a trailing assistant message as history, not as the start of its reply",
  openai: "gpt-oss's chat format takes a trailing assistant message as history, not as the start of its reply",
  deepseek: 'DeepSeek R1 always reasons first, and a continuation cannot resume its reasoning block',
};

/**
 * Why this interrupted call cannot be continued, or undefined when it can. The text tells the caller
 * exactly what stood in the way (it ends up in the error's message).
 */
export function resumeBlocker(
  adapter: ModelAdapter | undefined,
  partial: { text: string; reasoning: string },
  error: BedrockInferenceError,
): string | undefined {
  if (!isResumable(error)) return `this failure (${error.name}) is not one a continuation can repair`;
  if (adapter === undefined) return 'the model family is unknown, so its continuation format is unknown';
  if (adapter.continuation !== 'prefill') {
    return NO_CONTINUATION[adapter.family] ?? `the ${adapter.family} request format has no assistant prefill`;
  }
  if (partial.text === '' && partial.reasoning !== '') {
    return 'the stream broke while the model was still reasoning, before any answer text; a reasoning block cannot be continued (retry the request)';
  }
  return undefined;
}

/** Drops the start of a continuation that repeats text the caller already has. */
export class Stitcher {
  constructor(private pending: string) {}

  /** The part of `delta` the caller has not seen ('' when all of it was seen). */
  take(delta: string): string {
    const pending = this.pending;
    if (pending === '') return delta;
    let i = 0;
    while (i < delta.length && i < pending.length && delta.charCodeAt(i) === pending.charCodeAt(i)) i++;
    // The whole delta matched and more is pending: keep matching in the next delta.
    this.pending = i === delta.length && i < pending.length ? pending.slice(i) : '';
    return i === 0 ? delta : delta.slice(i);
  }
}

/**
 * The request that continues `original` after `partialText` was generated: the partial answer as a
 * trailing assistant turn (joined to a prefill the caller gave), trailing whitespace trimmed. Its
 * maxTokens is what is left of the original after `generatedTokens` (output tokens, reasoning
 * included, of every attempt so far), so the whole answer stays within the caller's maxTokens.
 * Reasoning is not asked for again: it was already streamed, and a prefill continues the answer.
 */
export function continuationRequest(
  original: NormalizedRequest,
  partialText: string,
  generatedTokens: number,
): { request: NormalizedRequest; stitcher: Stitcher } {
  const messages = original.messages;
  const last = messages[messages.length - 1];
  const callerPrefill = last?.role === 'assistant' ? last.content : '';
  const full = callerPrefill + partialText;
  const prefill = full.trimEnd();
  const stitcher = new Stitcher(full.slice(prefill.length));
  const base: ChatMessage[] = callerPrefill === '' ? messages.slice() : messages.slice(0, -1);
  if (prefill !== '') base.push({ role: 'assistant', content: prefill });
  // Never fewer tokens than the partial text holds by our estimate, whatever the caller counted.
  const used = Math.max(generatedTokens, estimateTokens(partialText));
  const maxTokens = Math.max(1, original.maxTokens - used);
  const request: NormalizedRequest = { ...original, messages: base, maxTokens };
  delete request.reasoning;
  return { request, stitcher };
}
