/**
 * Converse-shaped messages (`[{role, content: [{text} | {image} | {toolUse} | …]}]`, `system: [{text}]`),
 * shared by the Converse API and Nova's InvokeModel body, validated with Converse's wording.
 */
import { BedrockServiceError } from '../bedrock-error.js';
import { contentText } from './chat-transcript.js';
import type { ChatTurn } from './chat-transcript.js';

const MUST_START_WITH_USER =
  'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
const MUST_ALTERNATE =
  'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

export function converseTurns(messages: unknown): ChatTurn[] {
  if (!Array.isArray(messages) || messages.length === 0) throw invalid(MUST_START_WITH_USER);
  let previous: string | undefined;
  return messages.map((raw, i) => {
    const message = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const role = message.role;
    if (role !== 'user' && role !== 'assistant') {
      throw invalid(
        `1 validation error detected: Value '${String(role)}' at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`,
      );
    }
    if (i === 0 && role !== 'user') throw invalid(MUST_START_WITH_USER);
    if (role === previous) throw invalid(MUST_ALTERNATE);
    previous = role;
    if (!Array.isArray(message.content)) {
      throw invalid(
        `1 validation error detected: Value null at 'messages.${i + 1}.member.content' failed to satisfy constraint: Member must not be null`,
      );
    }
    return { role, text: contentText(message.content) };
  });
}

/** The text of Converse `system` blocks (`[{text}]`); guard and cache blocks carry no text. */
export function converseSystem(system: unknown): string {
  if (system === undefined) return '';
  if (!Array.isArray(system)) {
    throw invalid("1 validation error detected: Value at 'system' failed to satisfy constraint: Member must be a list");
  }
  return contentText(system);
}
