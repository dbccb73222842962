/**
 * Resuming an interrupted answer: the text so far goes back as an assistant prefill (or, for a family
 * that writes its own prompt, into that prompt after the reasoning so far), the token budget
 * shrinks by what was generated, and a Stitcher drops the overlap (whitespace we trimmed from the
 * prefill, which Bedrock rejects, and which the model then generates again) so the caller sees one
 * continuous text.
 */
import {
  AbortError,
  StreamInterruptedError,
  TimeoutError,
  type BedrockInferenceError,
  type PartialToolCall,
} from '../errors.js';
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
};

/** Why a `prompt` family cannot continue through Converse, whose request format is Bedrock's, not ours. */
const CONVERSE_NO_PROMPT: Partial<Record<ModelFamily, string>> = {
  deepseek:
    "DeepSeek R1's answer is continued by writing its own prompt, which only InvokeModel takes (use api: 'invoke')",
};

/**
 * Why this interrupted call cannot be continued, or undefined when it can. The text tells the caller
 * exactly what stood in the way (it ends up in the error's message).
 */
export function resumeBlocker(
  adapter: ModelAdapter | undefined,
  partial: {
    text: string;
    reasoning: string;
    openToolCall?: PartialToolCall | undefined;
    toolCalls?: readonly { name: string }[];
  },
  error: BedrockInferenceError,
  api: 'invoke' | 'converse' = 'invoke',
): string | undefined {
  if (!isResumable(error)) return `this failure (${error.name}) is not one a continuation can repair`;
  const toolBlocker = toolCallBlocker(partial);
  if (toolBlocker !== undefined) return toolBlocker;
  if (adapter === undefined) return 'the model family is unknown, so its continuation format is unknown';
  if (adapter.continuation === 'none') {
    return NO_CONTINUATION[adapter.family] ?? `the ${adapter.family} request format has no assistant prefill`;
  }
  if (adapter.continuation === 'prompt' && api === 'converse') {
    return CONVERSE_NO_PROMPT[adapter.family] ?? `the ${adapter.family} continuation needs api: 'invoke'`;
  }
  if (partial.text === '' && partial.reasoning !== '') {
    return 'the stream broke while the model was still reasoning, before any answer text; a reasoning block cannot be continued (retry the request)';
  }
  return undefined;
}

/**
 * Why a stream with tool calls cannot be continued: a call's input cut half-way cannot be prefilled (the
 * formats take no partial tool_use block), and a continuation after complete calls would have the model
 * answer without the calls it made, or make them again.
 */
function toolCallBlocker(partial: {
  openToolCall?: PartialToolCall | undefined;
  toolCalls?: readonly { name: string }[];
}): string | undefined {
  const open = partial.openToolCall;
  if (open !== undefined) {
    return (
      `the cut fell inside tool call ${open.name}'s input (${open.inputFragments.length} fragment(s) received, kept in ` +
      'error.partialToolCall); a tool call cannot be continued half-way and it is not re-run (send the request again)'
    );
  }
  const complete = partial.toolCalls ?? [];
  if (complete.length > 0) {
    return (
      `the answer already holds ${complete.length} complete tool call(s) (${complete.map((call) => call.name).join(', ')}); ` +
      'a continuation could make them again, so it is not re-run (run the calls you received, or send the request again)'
    );
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
 * The request that continues `original` after `partial.text` was generated: the partial answer, trailing
 * whitespace trimmed, as a trailing assistant turn (joined to a prefill the caller gave) for `prefill`
 * families; for `prompt` families, as `continues` with the reasoning streamed before it (the messages
 * stay as they were: there a trailing assistant message is history, not a prefill). Its
 * maxTokens is what is left of the original after `generatedTokens` (output tokens, reasoning
 * included, of every attempt so far), so the whole answer stays within the caller's maxTokens.
 * Reasoning is not asked for again: it was already streamed, and a prefill continues the answer.
 */
export function continuationRequest(
  original: NormalizedRequest,
  partial: { text: string; reasoning: string },
  generatedTokens: number,
  format: 'prefill' | 'prompt' = 'prefill',
): { request: NormalizedRequest; stitcher: Stitcher } {
  const partialText = partial.text;
  // Never fewer tokens than the partial text holds by our estimate, whatever the caller counted.
  const used = Math.max(generatedTokens, estimateTokens(partialText));
  const maxTokens = Math.max(1, original.maxTokens - used);
  if (format === 'prompt') {
    const text = partialText.trimEnd();
    const request: NormalizedRequest = { ...original, maxTokens, continues: { reasoning: partial.reasoning, text } };
    delete request.reasoning;
    return { request, stitcher: new Stitcher(partialText.slice(text.length)) };
  }
  const messages = original.messages;
  const last = messages[messages.length - 1];
  const callerPrefill = last?.role === 'assistant' ? last.content : '';
  const full = callerPrefill + partialText;
  const prefill = full.trimEnd();
  const stitcher = new Stitcher(full.slice(prefill.length));
  const base: ChatMessage[] = callerPrefill === '' ? messages.slice() : messages.slice(0, -1);
  if (prefill !== '') base.push({ role: 'assistant', content: prefill });
  const request: NormalizedRequest = { ...original, messages: base, maxTokens };
  delete request.reasoning;
  return { request, stitcher };
}
