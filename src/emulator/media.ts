/**
 * Images and documents in a request (Claude `image`/`document` blocks, Nova and Converse `image`/`document`
 * blocks): Bedrock's limits (images 3.75 MB and 8000 px each, at most 20; documents 4.5 MB each, at most 5;
 * document names), checked on the decoded bytes, and the input tokens they cost — an image
 * width × height / 750 (dimensions read from the PNG/JPEG/GIF/WebP header), a document its text's tokens.
 * Only requests that carry media reach this file.
 */
import { BedrockServiceError } from './bedrock-error.js';
import { countTokens } from './text/tokenizer.js';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface MediaItem {
  kind: 'image' | 'document';
  /** `png`… for images; `pdf`, `txt`… for documents. */
  format: string;
  bytes: Buffer;
  /** Where the block sits, as the family's error messages name it (`messages.0.content.1`). */
  where: string;
  name?: string;
}

export const IMAGE_FORMATS: readonly ImageFormat[] = ['png', 'jpeg', 'gif', 'webp'];
export const DOCUMENT_FORMATS = ['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md'] as const;
const MAX_IMAGE_BYTES = 3.75 * 1024 * 1024;
const MAX_IMAGE_PIXELS = 8000;
const MAX_IMAGES = 20;
const MAX_DOCUMENT_BYTES = 4.5 * 1024 * 1024;
const MAX_DOCUMENTS = 5;
/** Converse's document-name rule: letters, digits, single spaces, hyphens, parentheses, square brackets. */
const DOCUMENT_NAME = /^(?!.*\s\s)[A-Za-z0-9\s\-()[\]]+$/;

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

/** Decodes base64 (what the SDK puts in JSON for blobs); rejects text that is not base64. */
export function decodeBase64(data: unknown, where: string): Buffer {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(data)) {
    throw invalid(`${where}: the data is not valid base64.`);
  }
  return Buffer.from(data, 'base64');
}

/** The format a file's first bytes announce, for the formats Bedrock takes. */
export function sniffImageFormat(bytes: Buffer): ImageFormat | undefined {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && bytes.toString('latin1', 0, 4) === 'GIF8') return 'gif';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'webp';
  }
  return undefined;
}

/** Width and height from the image header, or undefined when the bytes are not a readable image. */
export function imageDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  switch (sniffImageFormat(bytes)) {
    case 'png':
      return bytes.length >= 24 ? { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) } : undefined;
    case 'gif':
      return bytes.length >= 10 ? { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) } : undefined;
    case 'jpeg':
      return jpegDimensions(bytes);
    case 'webp':
      return webpDimensions(bytes);
    default:
      return undefined;
  }
}

function jpegDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    const length = bytes.readUInt16BE(offset + 2);
    // Start-of-frame markers (C0–CF except DHT C4, JPG C8, DAC CC) hold the size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

function webpDimensions(bytes: Buffer): { width: number; height: number } | undefined {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  }
  return undefined;
}

/** The text a document contributes: the file itself for text formats, printable runs for binary ones. */
function documentText(item: MediaItem): string {
  if (['txt', 'md', 'csv', 'html'].includes(item.format)) return item.bytes.toString('utf8');
  return item.bytes.toString('latin1').replace(/[^\x20-\x7e]+/g, ' ');
}

/**
 * Checks every image and document against Bedrock's limits and returns the input tokens they cost.
 * `prefix` is what the family puts before model-side errors (Converse: "The model returned the following
 * errors: ").
 */
export function checkMedia(items: readonly MediaItem[], prefix = ''): number {
  let tokens = 0;
  const images = items.filter((item) => item.kind === 'image');
  const documents = items.filter((item) => item.kind === 'document');
  if (images.length > MAX_IMAGES) throw invalid(`${prefix}Too many images: ${images.length} > ${MAX_IMAGES}.`);
  if (documents.length > MAX_DOCUMENTS) {
    throw invalid(`${prefix}Too many documents: ${documents.length} > ${MAX_DOCUMENTS}.`);
  }
  for (const image of images) {
    if (image.bytes.length > MAX_IMAGE_BYTES) {
      throw invalid(
        `${prefix}${image.where}.image.source.bytes: image exceeds 3.75 MB maximum: ${image.bytes.length} bytes > ${MAX_IMAGE_BYTES} bytes`,
      );
    }
    const actual = sniffImageFormat(image.bytes);
    const size = imageDimensions(image.bytes);
    if (actual === undefined || size === undefined) throw invalid(`${prefix}Could not process image`);
    if (actual !== image.format) {
      throw invalid(
        `${prefix}${image.where}.image.source.base64: The image was specified using the image/${image.format} media type, but the image appears to be a image/${actual} image`,
      );
    }
    if (size.width > MAX_IMAGE_PIXELS || size.height > MAX_IMAGE_PIXELS) {
      throw invalid(
        `${prefix}${image.where}.image.source.base64.data: At least one of the image dimensions exceed max allowed size: ${MAX_IMAGE_PIXELS} pixels`,
      );
    }
    tokens += Math.ceil((size.width * size.height) / 750);
  }
  for (const document of documents) {
    if (document.bytes.length > MAX_DOCUMENT_BYTES) {
      throw invalid(
        `${prefix}${document.where}.document.source.bytes: document exceeds 4.5 MB maximum: ${document.bytes.length} bytes > ${MAX_DOCUMENT_BYTES} bytes`,
      );
    }
    if (document.name !== undefined && !DOCUMENT_NAME.test(document.name)) {
      throw invalid(
        'The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can\u2019t contain more than one consecutive whitespace character.',
      );
    }
    tokens += countTokens(documentText(document));
  }
  return tokens;
}
