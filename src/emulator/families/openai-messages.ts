/**
 * OpenAI-style `messages` (`{role, content}`) as Mistral chat, AI21 Jamba and gpt-oss take them: system and
 * developer turns become the system text, tool results count as user turns, and a trailing assistant turn
 * is the prefill.
 */
import { malformedInput } from '../bedrock-error.js';
import { contentText, transcript } from './chat-transcript.js';
import type { ChatTurn, Transcript } from './chat-transcript.js';
import { expectObject, jsonTypeName } from './request-fields.js';

export function openAiTranscript(messages: unknown, roles: ReadonlySet<string>): Transcript {
  if (!Array.isArray(messages)) {
    throw malformedInput(`#/messages: expected type: JSONArray, found: ${jsonTypeName(messages)}`);
  }
  if (messages.length === 0) throw malformedInput('#/messages: expected minimum item count: 1, found: 0');
  const system: string[] = [];
  const turns: ChatTurn[] = [];
  messages.forEach((raw, i) => {
    const message = expectObject(raw, `#/messages/${i}`);
    const role = message.role;
    if (typeof role !== 'string' || !roles.has(role)) {
      throw malformedInput(`#/messages/${i}/role: ${String(role)} is not a valid enum value`);
    }
    const text = contentText(message.content);
    if (role === 'system' || role === 'developer') system.push(text);
    else turns.push({ role: role === 'assistant' ? 'assistant' : 'user', text });
  });
  return transcript(system.join('\n'), turns);
}
