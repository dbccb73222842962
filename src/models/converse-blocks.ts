/**
 * Converse-shaped content blocks for text, images, documents and cache points, shared by the Converse API
 * (bedrock-wire.md §5: the SDK takes the bytes as a Uint8Array and base64-encodes them itself) and Nova's
 * native messages-v1 body (§4.3: the same blocks with the bytes already in base64).
 */
import { ValidationError } from '../errors.js';
import type { CachePoints, ContentPart } from './content.js';
import { imageFormat, mediaBase64, mediaUint8Array } from './media-parts.js';
import { converseStyleToolBlock } from './converse-tools.js';

export type ConverseStyleBlock = Record<string, unknown>;

/** How a block carries bytes: `base64` in JSON bodies, `bytes` (Uint8Array) for the SDK's Converse input. */
export type BytesEncoding = 'base64' | 'bytes';

export const CACHE_POINT_BLOCK = { cachePoint: { type: 'default' } } as const;

function bytesOf(data: Uint8Array | string, encoding: BytesEncoding): string | Uint8Array {
  return encoding === 'base64' ? mediaBase64(data) : mediaUint8Array(data);
}

/**
 * The block for one text, image, document or cache-point part, or undefined for the parts the caller
 * maps itself (tool calls and results).
 */
export function converseStyleBlock(part: ContentPart, encoding: BytesEncoding): ConverseStyleBlock | undefined {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image':
      return { image: { format: imageFormat(part.mediaType), source: { bytes: bytesOf(part.data, encoding) } } };
    case 'document':
      return { document: { format: part.format, name: part.name, source: { bytes: bytesOf(part.data, encoding) } } };
    case 'cache-point':
      return { ...CACHE_POINT_BLOCK };
    default:
      return undefined;
  }
}

/** A message's content as Converse-style blocks (a string becomes one text block). */
export function converseStyleContent(
  content: string | readonly ContentPart[],
  where: string,
  encoding: BytesEncoding,
): ConverseStyleBlock[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part) => {
    // Tool calls and results come from converse-tools.ts.
    const block = converseStyleBlock(part, encoding) ?? converseStyleToolBlock(part);
    if (block === undefined) {
      throw new ValidationError(
        `${where}: this format has no mapping for a ${part.type} part here yet: send it with api: 'converse'.`,
      );
    }
    return block;
  });
}

/** `system` as blocks, followed by a cache point when `cachePoints.system` asks for one. */
export function converseStyleSystem(
  system: string | undefined,
  cachePoints: CachePoints | undefined,
): ConverseStyleBlock[] | undefined {
  if (system === undefined) return undefined;
  return cachePoints?.system === true ? [{ text: system }, { ...CACHE_POINT_BLOCK }] : [{ text: system }];
}

/** Appends a cache point after the tool definitions when `cachePoints.tools` asks for one. */
export function cacheToolDefinitions(
  toolConfig: { tools?: unknown[] | undefined } | undefined,
  cachePoints: CachePoints | undefined,
): void {
  if (cachePoints?.tools !== true || toolConfig?.tools === undefined || toolConfig.tools.length === 0) return;
  toolConfig.tools = [...toolConfig.tools, { ...CACHE_POINT_BLOCK }];
}
