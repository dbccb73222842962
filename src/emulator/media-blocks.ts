/**
 * Finds the image and document blocks of a request in each spelling — Claude's `{type: 'image', source:
 * {type: 'base64', media_type, data}}` / `{type: 'document', …}` and Converse's / Nova's `{image: {format,
 * source: {bytes}}}` / `{document: {format, name, source: {bytes}}}` — validating their fields with the
 * family's wording and decoding their bytes for media.ts.
 */
import { BedrockServiceError } from './bedrock-error.js';
import { decodeBase64, DOCUMENT_FORMATS, IMAGE_FORMATS, type MediaItem } from './media.js';

type Json = Record<string, unknown>;

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function blocks(message: unknown): Json[] {
  const content = record(message)?.content;
  return Array.isArray(content) ? content.map((block) => record(block) ?? {}) : [];
}

function enumError(value: unknown, path: string, values: readonly string[]): BedrockServiceError {
  return invalid(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
  );
}

/** Converse / Nova blocks. Messages without media cost one pass over the blocks. */
export function converseMediaItems(messages: unknown): MediaItem[] {
  if (!Array.isArray(messages)) return [];
  const items: MediaItem[] = [];
  messages.forEach((message, i) => {
    blocks(message).forEach((block, j) => {
      const member = `messages.${i + 1}.member.content.${j + 1}.member`;
      const where = `messages.${i}.content.${j}`;
      const image = record(block.image);
      if (image !== undefined) {
        if (!(IMAGE_FORMATS as readonly string[]).includes(String(image.format))) {
          throw enumError(image.format, `${member}.image.format`, IMAGE_FORMATS);
        }
        const bytes = decodeBase64(record(image.source)?.bytes, `${where}.image.source.bytes`);
        items.push({ kind: 'image', format: String(image.format), bytes, where });
      }
      const document = record(block.document);
      if (document !== undefined) {
        if (!(DOCUMENT_FORMATS as readonly string[]).includes(String(document.format))) {
          throw enumError(document.format, `${member}.document.format`, DOCUMENT_FORMATS);
        }
        if (typeof document.name !== 'string') {
          throw invalid(
            `1 validation error detected: Value null at '${member}.document.name' failed to satisfy constraint: Member must not be null`,
          );
        }
        const bytes = decodeBase64(record(document.source)?.bytes, `${where}.document.source.bytes`);
        items.push({ kind: 'document', format: String(document.format), bytes, where, name: document.name });
      }
    });
  });
  return items;
}

const CLAUDE_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

/** Claude Messages blocks: base64 images, base64 PDFs and plain-text documents. */
export function claudeMediaItems(messages: readonly unknown[]): MediaItem[] {
  const items: MediaItem[] = [];
  messages.forEach((message, i) => {
    blocks(message).forEach((block, j) => {
      const where = `messages.${i}.content.${j}`;
      if (block.type !== 'image' && block.type !== 'document') return;
      const source = record(block.source) ?? {};
      if (block.type === 'image') {
        if (source.type !== 'base64')
          throw invalid(
            `${where}.image.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64'`,
          );
        if (!CLAUDE_IMAGE_TYPES.includes(String(source.media_type))) {
          throw invalid(
            `${where}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`,
          );
        }
        const format = String(source.media_type).slice('image/'.length);
        items.push({
          kind: 'image',
          format,
          bytes: decodeBase64(source.data, `${where}.image.source.base64.data`),
          where,
        });
        return;
      }
      if (source.type === 'text' && typeof source.data === 'string') {
        items.push({ kind: 'document', format: 'txt', bytes: Buffer.from(source.data, 'utf8'), where });
      } else if (source.type === 'base64' && source.media_type === 'application/pdf') {
        items.push({
          kind: 'document',
          format: 'pdf',
          bytes: decodeBase64(source.data, `${where}.document.source.base64.data`),
          where,
        });
      } else {
        throw invalid(
          `${where}.document.source: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'content', 'text', 'url'`,
        );
      }
    });
  });
  return items;
}
