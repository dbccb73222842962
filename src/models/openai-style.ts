/**
 * The OpenAI chat-completion chunk shape shared by Mistral chat, AI21 Jamba and gpt-oss (bedrock-wire.md
 * §4.5, §4.7, §4.9): `choices[0].delta.content` (or `.message.content`), a finish field and optional `usage`.
 */
import type { NormalizedRequest } from './types.js';

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
  for (const message of request.messages) messages.push({ role: message.role, content: message.content });
  return messages;
}
