/**
 * The OpenAI chat-completion chunk shape shared by Mistral chat, AI21 Jamba and gpt-oss (bedrock-wire.md
 * §4.5, §4.7, §4.9): `choices[0].delta.content` (or `.message.content`), a finish field and optional `usage`.
 */
import {
  chatToolChoice,
  chatTools,
  chatTurnMessages,
  decodeChatToolCalls,
  toolNamesById,
  type ChatMessageBody,
  type ChatToolCallEntry,
  type ChatToolDialect,
} from './openai-style-tools.js';
import { ToolCallAssembler } from './tool-call-assembler.js';
import { emitFamilyUsage, emitInvocationMetrics } from './bedrock-metrics.js';
import { stopList, withAdditional } from './request-fields.js';
import type { ChunkDecoder, ChunkEventSink, NormalizedRequest } from './types.js';

export interface OpenAiStyleChoice {
  delta?: {
    content?: string | null;
    reasoning_content?: string | null;
    reasoning?: string | null;
    tool_calls?: ChatToolCallEntry[] | null;
  };
  message?: { content?: string | null; reasoning_content?: string | null; tool_calls?: ChatToolCallEntry[] | null };
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
  dialect: ChatToolDialect = 'openai',
): ChatMessageBody[] {
  const messages: ChatMessageBody[] = [];
  if (request.system !== undefined) messages.push({ role: systemRole, content: request.system });
  // Tool calls and results take their own message shapes (openai-style-tools.ts).
  const toolNames = toolNamesById(request.messages);
  for (const message of request.messages) messages.push(...chatTurnMessages(message, toolNames, dialect));
  return messages;
}

/** The Chat Completions request body; families differ in the system role and the max-tokens field name. */
export function chatCompletionBody(
  request: NormalizedRequest,
  systemRole: 'system' | 'developer',
  maxTokensField: 'max_tokens' | 'max_completion_tokens',
  dialect: ChatToolDialect = 'openai',
): Record<string, unknown> {
  return withAdditional(request, {
    messages: chatMessages(request, systemRole, dialect),
    [maxTokensField]: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    stop: stopList(request),
    tools: chatTools(request.tools),
    tool_choice: chatToolChoice(request.toolChoice, dialect),
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
  emitWholeChatToolCalls(choice?.message?.tool_calls, emit);
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
  const toolCalls = new ToolCallAssembler();
  return (raw, emit) => {
    const choice = (raw as OpenAiStyleChunk).choices?.[0];
    if (choice !== undefined) {
      const text = options.messageContent ? (choice.delta?.content ?? choice.message?.content) : choice.delta?.content;
      if (text) emit({ type: 'text', delta: text });
      else {
        // Not a text delta: tool-call entries (in `message` too where the stream shape is undocumented).
        const entries = choice.delta?.tool_calls ?? (options.messageContent ? choice.message?.tool_calls : undefined);
        if (entries) decodeChatToolCalls(entries, toolCalls, emit);
      }
      const finish = finishOf(choice);
      if (finish !== undefined && finish !== null) {
        toolCalls.finishAll(emit);
        emitStop(finish, emit);
      }
    }
    emitChunkUsage(raw, emit);
  };
}

/** A whole message's `tool_calls` (non-streaming responses) as tool-call events. */
export function emitWholeChatToolCalls(
  entries: readonly ChatToolCallEntry[] | null | undefined,
  emit: ChunkEventSink,
): void {
  if (!entries) return;
  const toolCalls = new ToolCallAssembler();
  decodeChatToolCalls(entries, toolCalls, emit);
  toolCalls.finishAll(emit);
}
