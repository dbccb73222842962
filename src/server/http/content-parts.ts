/**
 * Content parts from a JSON body to the library's ChatMessage, and their size in prompt characters.
 * Media stay base64 strings: the library checks base64, sizes and magic numbers once, naming
 * `messages[i].content[j]` and the fix, so the server does not decode them a second time.
 */
import type { ChatMessage, ContentPart } from '../../index.js';
import type { ChatBody } from './request-schemas.js';

type BodyMessage = ChatBody['messages'][number];
type BodyPart = Exclude<BodyMessage['content'], string>[number];

export function toChatMessages(messages: readonly BodyMessage[]): ChatMessage[] {
  return messages.map((message) => ({
    role: message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map(toContentPart),
  }));
}

function toContentPart(part: BodyPart): ContentPart {
  switch (part.type) {
    case 'tool-call':
      return { type: 'tool-call', id: part.id, name: part.name, input: part.input ?? {} };
    case 'tool-result': {
      const content = typeof part.content === 'string' ? part.content : { json: part.content.json ?? null };
      return {
        type: 'tool-result',
        toolCallId: part.toolCallId,
        content,
        ...(part.isError === undefined ? {} : { isError: part.isError }),
      };
    }
    default:
      return part;
  }
}

/**
 * Characters of text a message carries (text parts, tool inputs and results); images and documents
 * count against the body limit instead, as bytes.
 */
export function messageChars(message: ChatMessage): number {
  if (typeof message.content === 'string') return message.content.length;
  let chars = 0;
  for (const part of message.content) {
    if (part.type === 'text') chars += part.text.length;
    else if (part.type === 'tool-call') chars += JSON.stringify(part.input ?? null).length;
    else if (part.type === 'tool-result') {
      chars +=
        typeof part.content === 'string' ? part.content.length : JSON.stringify(part.content.json ?? null).length;
    }
  }
  return chars;
}
