/**
 * The OpenAI chat-completion chunk shape shared by Mistral chat, AI21 Jamba and gpt-oss (bedrock-wire.md
 * §4.5, §4.7, §4.9): `choices[0].delta.content` (or `.message.content`), a finish field and optional `usage`.
 */
import { textOnly } from './content.js';
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { stopList, withAdditional } from './request-fields.js';
import type { ChunkDecoder, ChunkEventSink, NormalizedRequest } from './types.js';

export interface OpenAiStyleChoice {
  delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null };
  message?: { content?: string | null; reasoning_content?: string | null };
  finish_reason?: string | null;
  stop_reason?: string | null;
}

export interface OpenAiStyleChunk {
  choices?: OpenAiStyleChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** The finish field; Bedrock's Mistral docs call it `stop_reason`, OpenAI-style bodies `finish_reason`. */
export function finishOf(choice: OpenAiStyleChoice): string | null | undefined {
  return choice.finish_reason ?? choice.stop_reason;
}

export function chatMessages(
  request: NormalizedRequest,
  systemRole: 'system' | 'developer',
): { role: string; content: string }[] {
  const messages: { role: string; content: string }[] = [];
  if (request.system !== undefined) messages.push({ role: systemRole, content: request.system });
  for (const message of request.messages) messages.push({ role: message.role, content: textOnly(message.content, 'This chat format') });
  return messages;
}

/** The Chat Completions request body; families differ in the system role and the max-tokens field name. */
export function chatCompletionBody(
  request: NormalizedRequest,
  systemRole: 'system' | 'developer',
  maxTokensField: 'max_tokens' | 'max_completion_tokens',
): Record<string, unknown> {
  return withAdditional(request, {
    messages: chatMessages(request, systemRole),
    [maxTokensField]: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: stopList(request),
  });
}

/** A chunk's usage: Bedrock's invocation metrics when present, else the chunk's own `usage`. */
export function emitChunkUsage(raw: Record<string, unknown>, emit: ChunkEventSink): void {
  const usage = (raw as OpenAiStyleChunk).usage;
  if (!emitInvocationMetrics(raw, emit) && usage) emitFamilyUsage(emit, usage.prompt_tokens, usage.completion_tokens);
}

/** A non-streaming chat completion with no reasoning field: text, stop, usage. */
export function decodeChatCompletion(
  body: Record<string, unknown>,
  emit: ChunkEventSink,
  emitStop: (raw: string | null | undefined, emit: ChunkEventSink) => void,
): void {
  const response = body as OpenAiStyleChunk;
  const choice = response.choices?.[0];
  if (choice?.message?.content) emit({ type: 'text', delta: choice.message.content });
  emitStop(choice === undefined ? undefined : finishOf(choice), emit);
  if (response.usage) emitFamilyUsage(emit, response.usage.prompt_tokens, response.usage.completion_tokens);
}

/**
 * The chunk decoder for chat-completion chunks without reasoning (AI21 Jamba, Mistral chat): text from
 * `delta.content` (and `message.content` where the stream shape is undocumented), the finish reason, and
 * usage from whichever chunk carries it (AI21 sends its metrics in a separate trailing chunk).
 */
export function createChatCompletionDecoder(
  emitStop: (raw: string | null | undefined, emit: ChunkEventSink) => void,
  options: { messageContent: boolean },
): ChunkDecoder {
  return (raw, emit) => {
    const choice = (raw as OpenAiStyleChunk).choices?.[0];
    if (choice !== undefined) {
      const text = options.messageContent ? (choice.delta?.content ?? choice.message?.content) : choice.delta?.content;
      if (text) emit({ type: 'text', delta: text });
      const finish = finishOf(choice);
      if (finish !== undefined && finish !== null) emitStop(finish, emit);
    }
    emitChunkUsage(raw, emit);
  };
}
