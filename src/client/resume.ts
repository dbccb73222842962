/**
 * Resuming an interrupted answer: the text so far goes back as an assistant prefill, the token budget
 * shrinks by what was generated, and a Stitcher drops the overlap (whitespace we trimmed from the
 * prefill, which Bedrock rejects, and which the model then generates again) so the caller sees one
 * continuous text.
 */
import { AbortError, StreamInterruptedError, TimeoutError, type BedrockInferenceError } from '../errors.js';
import type { ChatMessage, NormalizedRequest } from '../models/types.js';
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
 * trailing assistant turn (joined to a prefill the caller gave), trailing whitespace trimmed.
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
  // Each content chunk carries at least one token; counting chunks never over-reduces the budget.
  const maxTokens = Math.max(1, original.maxTokens - generatedTokens);
  return { request: { ...original, messages: base, maxTokens }, stitcher };
}
