/**
 * OpenAI-style tool use, shared by Mistral chat, AI21 Jamba and gpt-oss (bedrock-wire.md §4.5, §4.7, §4.9):
 * `tools` as `{type: 'function', function: {name, description, parameters}}`, `tool_choice`, assistant
 * turns with `tool_calls` (arguments as a JSON string), and one `role: 'tool'` message per result.
 * Streamed calls arrive as `tool_calls[]` entries keyed by `index`: the first carries id and name, the
 * next ones argument fragments; the finish reason ends them.
 */
import { textOnly, type ContentPart, type ToolChoice, type ToolDefinition } from './content.js';
import type { ToolCallAssembler } from './tool-call-assembler.js';
import type { ChatMessage, ChunkEventSink } from './types.js';

/** How the family spells what differs: `any` (`required` for OpenAI) and the tool message's `name`. */
export type ChatToolDialect = 'openai' | 'mistral';

export type ChatMessageBody = Record<string, unknown> & { role: string };

export function chatTools(tools: readonly ToolDefinition[] | undefined): Record<string, unknown>[] | undefined {
  if (tools === undefined || tools.length === 0) return undefined;
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.inputSchema,
    },
  }));
}

export function chatToolChoice(choice: ToolChoice | undefined, dialect: ChatToolDialect): unknown {
  if (choice === undefined) return undefined;
  if (typeof choice === 'object') return { type: 'function', function: { name: choice.name } };
  if (choice === 'any') return dialect === 'openai' ? 'required' : 'any';
  return choice;
}

function resultText(part: Extract<ContentPart, { type: 'tool-result' }>): string {
  const text = typeof part.content === 'string' ? part.content : JSON.stringify(part.content.json);
  // The format has no error flag: the model reads the failure from the content.
  return part.isError === true ? `Error: ${text}` : text;
}

/**
 * One chat turn as chat-completion messages: a string or text parts as one message; an assistant turn's
 * tool calls as its `tool_calls`; a user turn's tool results as `role: 'tool'` messages before its text.
 * Parts other than text and tools are refused with the fix (textOnly).
 */
export function chatTurnMessages(
  message: ChatMessage,
  toolNames: ReadonlyMap<string, string>,
  dialect: ChatToolDialect,
): ChatMessageBody[] {
  const content = message.content;
  if (typeof content === 'string') return [{ role: message.role, content }];
  const rest = content.filter((part) => part.type !== 'tool-call' && part.type !== 'tool-result');
  const text = textOnly(rest, 'This chat format');
  if (message.role === 'assistant') {
    const calls = content.flatMap((part) =>
      part.type === 'tool-call'
        ? [
            {
              id: part.id,
              type: 'function',
              function: { name: part.name, arguments: JSON.stringify(part.input ?? {}) },
            },
          ]
        : [],
    );
    if (calls.length === 0) return [{ role: 'assistant', content: text }];
    return [{ role: 'assistant', content: text, tool_calls: calls }];
  }
  const out: ChatMessageBody[] = [];
  for (const part of content) {
    if (part.type !== 'tool-result') continue;
    const name = toolNames.get(part.toolCallId);
    out.push({
      role: 'tool',
      tool_call_id: part.toolCallId,
      ...(dialect === 'mistral' && name !== undefined ? { name } : {}),
      content: resultText(part),
    });
  }
  if (text !== '' || out.length === 0) out.push({ role: 'user', content: text });
  return out;
}

/** Tool-call id → tool name, from the assistant turns' tool calls (a result names only the id). */
export function toolNamesById(messages: readonly ChatMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (typeof message.content === 'string') continue;
    for (const part of message.content) if (part.type === 'tool-call') names.set(part.id, part.name);
  }
  return names;
}

/** One `tool_calls[]` entry of a chunk (delta) or of a whole message. */
export interface ChatToolCallEntry {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | Record<string, unknown> | null };
}

/**
 * Feeds a chunk's `tool_calls` entries to the assembler: an entry with an id starts a call (ending the
 * one before it under that index), its arguments are fragments. Arguments given as an object (Mistral
 * sometimes sends them parsed) count as one fragment, their JSON.
 */
export function decodeChatToolCalls(
  entries: readonly ChatToolCallEntry[],
  toolCalls: ToolCallAssembler,
  emit: ChunkEventSink,
): void {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const key = entry.index ?? i;
    if (entry.id) {
      toolCalls.finish(key, emit);
      toolCalls.start(key, entry.id, entry.function?.name ?? '', emit);
    }
    const args = entry.function?.arguments;
    if (args === undefined || args === null) continue;
    toolCalls.delta(key, typeof args === 'string' ? args : JSON.stringify(args), emit);
  }
}
