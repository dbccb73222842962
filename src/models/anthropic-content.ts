/**
 * Claude's Messages content blocks for images, documents and cache points (bedrock-wire.md §4.1): images
 * and PDFs as base64 sources, plain-text documents as text sources, and a cache point as
 * `cache_control: {type: 'ephemeral'}` on the block before it (Anthropic's prompt caching on Bedrock).
 */
import { ValidationError } from '../errors.js';
import type { CachePoints, ContentPart, DocumentPart, ImagePart } from './content.js';
import { mediaBase64, mediaUint8Array } from './media-parts.js';
import { claudeToolBlock } from './anthropic-tools.js';

export type ClaudeBlock = Record<string, unknown>;

const EPHEMERAL = { type: 'ephemeral' } as const;

function imageBlock(part: ImagePart): ClaudeBlock {
  return { type: 'image', source: { type: 'base64', media_type: part.mediaType, data: mediaBase64(part.data) } };
}

/** Claude's document blocks take PDF (base64) and plain text; the other formats go through Converse. */
function documentBlock(part: DocumentPart): ClaudeBlock {
  if (part.format === 'pdf') {
    return {
      type: 'document',
      title: part.name,
      source: { type: 'base64', media_type: 'application/pdf', data: mediaBase64(part.data) },
    };
  }
  if (part.format === 'txt' || part.format === 'md') {
    const text = new TextDecoder().decode(mediaUint8Array(part.data));
    return { type: 'document', title: part.name, source: { type: 'text', media_type: 'text/plain', data: text } };
  }
  throw new ValidationError(
    `Claude's Messages format takes pdf, txt and md documents, and "${part.name}" is ${part.format}: ` +
      "send it with api: 'converse' (which takes csv, doc, docx, xls, xlsx and html too) or convert it to PDF.",
  );
}

/** Marks the last block as the end of a cached prefix (a cache point with nothing before it is refused). */
export function markCacheBlock(blocks: ClaudeBlock[], where: string): void {
  const last = blocks.at(-1);
  if (last === undefined) {
    throw new ValidationError(`${where}: a cache point must follow some content; move it after the part to cache.`);
  }
  last.cache_control = EPHEMERAL;
}

/**
 * One message's content part as Claude blocks are built: appends to `blocks`. Returns false for parts
 * this file does not map (tool calls and results), which the caller maps itself.
 */
export function appendClaudeBlock(blocks: ClaudeBlock[], part: ContentPart, where: string): boolean {
  switch (part.type) {
    case 'text':
      blocks.push({ type: 'text', text: part.text });
      return true;
    case 'image':
      blocks.push(imageBlock(part));
      return true;
    case 'document':
      blocks.push(documentBlock(part));
      return true;
    case 'cache-point':
      markCacheBlock(blocks, where);
      return true;
    default:
      return false;
  }
}

/** `system` as a block array when it ends a cached prefix, else the plain string Claude also takes. */
export function claudeSystem(system: string | undefined, cachePoints: CachePoints | undefined): unknown {
  if (system === undefined || cachePoints?.system !== true) return system;
  return [{ type: 'text', text: system, cache_control: EPHEMERAL }];
}

/** Marks the last tool definition as the end of a cached prefix (`cachePoints.tools`). */
export function markCachedTools(tools: unknown, cachePoints: CachePoints | undefined): void {
  if (cachePoints?.tools !== true || !Array.isArray(tools) || tools.length === 0) return;
  const last = tools[tools.length - 1] as Record<string, unknown>;
  tools[tools.length - 1] = { ...last, cache_control: EPHEMERAL };
}

/** A message's content for Claude: a string as is, parts as blocks (text, images, documents, cache points). */
export function claudeMessageContent(content: string | readonly ContentPart[], where: string): string | ClaudeBlock[] {
  if (typeof content === 'string') return content;
  const blocks: ClaudeBlock[] = [];
  for (const part of content) {
    if (appendClaudeBlock(blocks, part, where)) continue;
    // Tool calls and results (anthropic-tools.ts).
    const toolBlock = claudeToolBlock(part);
    if (toolBlock === undefined) {
      throw new ValidationError(
        `${where}: Claude's Messages format has no mapping for a ${part.type} part here yet: send it with api: 'converse'.`,
      );
    }
    blocks.push(toolBlock);
  }
  return blocks;
}
