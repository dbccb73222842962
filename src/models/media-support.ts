/**
 * Which native request formats take images and documents (bedrock-wire.md §4): Claude's Messages body
 * (images; PDF and plain-text documents), Nova's messages-v1 body (images and every document format) and
 * the Llama vision models' prompt (images).
 * The others are refused before any call with the fix, never sent with the part dropped. Converse takes
 * them for every model that can read them (Bedrock answers for the others).
 */
import { ValidationError } from '../errors.js';
import type { DocumentFormat } from './content.js';
import type { ChatMessage, ModelFamily } from './types.js';

interface MediaSupport {
  images: boolean;
  documents: readonly DocumentFormat[];
}

const ALL_DOCUMENTS: readonly DocumentFormat[] = ['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md'];

const NATIVE_MEDIA: Partial<Record<ModelFamily, MediaSupport>> = {
  anthropic: { images: true, documents: ['pdf', 'txt', 'md'] },
  nova: { images: true, documents: ALL_DOCUMENTS },
};

const FAMILY_NAMES: Partial<Record<ModelFamily, string>> = {
  anthropic: "Claude's Messages format",
  nova: "Nova's messages-v1 format",
  llama: "Llama's prompt format (images on Llama 3.2 11B/90B and Llama 4 only)",
};

/** Llama 3.2 11B/90B and Llama 4 read images: the prompt's `<|image|>` markers and the body's `images`. */
const LLAMA_VISION = /llama3-2-(11b|90b)|llama4/;

/** Refuses image and document parts the family's native format cannot carry, naming the fix. */
export function checkNativeMedia(family: ModelFamily, messages: readonly ChatMessage[], modelId = ''): void {
  const support =
    family === 'llama' && LLAMA_VISION.test(modelId) ? { images: true, documents: [] } : NATIVE_MEDIA[family];
  const formatName = FAMILY_NAMES[family] ?? `the ${family} format`;
  messages.forEach((message, index) => {
    if (typeof message.content === 'string') return;
    message.content.forEach((part, partIndex) => {
      const where = `messages[${index}].content[${partIndex}]`;
      if (part.type === 'image' && support?.images !== true) {
        throw new ValidationError(
          `${where} is an image, and ${formatName} takes text only: send it with api: 'converse' to a model that reads images (Claude 3+, Nova Lite/Pro, Llama 3.2 vision...).`,
        );
      }
      if (part.type === 'document' && !(support?.documents ?? []).includes(part.format)) {
        const takes =
          support === undefined || support.documents.length === 0
            ? 'takes no documents'
            : `takes ${support.documents.join(', ')} documents only`;
        throw new ValidationError(
          `${where} is a ${part.format} document, and ${formatName} ${takes}: send it with api: 'converse' to a model that reads documents (Claude, Nova...).`,
        );
      }
    });
  });
}
