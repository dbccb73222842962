/**
 * Images and documents, checked once before any call against Bedrock's limits (Converse ImageBlock and
 * DocumentBlock, the same ones the native Claude and Nova formats apply), so a request Bedrock would refuse
 * fails here with the limit and the fix instead of after a round trip. Also the conversions the adapters
 * share: base64 for the JSON bodies, bytes for the SDK's Converse blocks.
 */
import { ValidationError } from '../errors.js';
import type { ContentPart, DocumentFormat, DocumentPart, ImageMediaType, ImagePart } from './content.js';
import type { ChatMessage } from './types.js';

export const MEDIA_LIMITS = {
  imageBytes: 3.75 * 1024 * 1024,
  imageSidePixels: 8000,
  imagesPerRequest: 20,
  documentBytes: 4.5 * 1024 * 1024,
  documentsPerRequest: 5,
  documentNameLength: 200,
} as const;

const IMAGE_TYPES: readonly ImageMediaType[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
const DOCUMENT_FORMATS: readonly DocumentFormat[] = ['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md'];
/** Bedrock's DocumentBlock name rule: letters, digits, whitespace (never two in a row), hyphens, (), []. */
const DOCUMENT_NAME = /^(?!.*\s\s)[A-Za-z0-9\s\-()[\]]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fail(message: string): never {
  throw new ValidationError(message);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2).replace(/\.?0+$/, '')} MB`;
}

/** The part's bytes, decoding (and checking) base64. */
export function mediaBytes(data: Uint8Array | string, where: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data !== 'string') fail(`${where}.data must be a Uint8Array or a base64 string.`);
  if (data.startsWith('data:')) fail(`${where}.data is a data: URL: pass only the base64 after the comma.`);
  if (data.length % 4 !== 0 || !BASE64.test(data)) {
    fail(
      `${where}.data is not valid base64: pass the bytes as a Uint8Array, or standard base64 (A-Z a-z 0-9 + /, = padding).`,
    );
  }
  return Buffer.from(data, 'base64');
}

/** The part's data as base64, for JSON bodies (a string is already checked base64). */
export function mediaBase64(data: Uint8Array | string): string {
  return typeof data === 'string'
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** The part's data as bytes, for the SDK's Converse blocks (which base64-encode them themselves). */
export function mediaUint8Array(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'base64') : data;
}

/** `image/png` → `png`: the format name Converse and Nova use. */
export function imageFormat(mediaType: ImageMediaType): 'png' | 'jpeg' | 'gif' | 'webp' {
  return mediaType.slice('image/'.length) as 'png' | 'jpeg' | 'gif' | 'webp';
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** The image type the bytes' magic number says, or undefined. */
function sniffImage(bytes: Uint8Array): ImageMediaType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}

/** Width and height from the image's header (undefined when the header is too short to tell). */
export function imageSize(bytes: Uint8Array, type: ImageMediaType): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'image/png':
      return bytes.length < 24 ? undefined : { width: view.getUint32(16), height: view.getUint32(20) };
    case 'image/gif':
      return bytes.length < 10 ? undefined : { width: view.getUint16(6, true), height: view.getUint16(8, true) };
    case 'image/webp':
      return webpSize(bytes, view);
    case 'image/jpeg':
      return jpegSize(bytes, view);
  }
}

function webpSize(bytes: Uint8Array, view: DataView): { width: number; height: number } | undefined {
  if (bytes.length < 30) return undefined;
  if (startsWith(bytes, ascii('VP8X'), 12)) {
    const w = 1 + (bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16));
    const h = 1 + (bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16));
    return { width: w, height: h };
  }
  if (startsWith(bytes, ascii('VP8L'), 12)) {
    const bits = view.getUint32(21, true);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (startsWith(bytes, ascii('VP8 '), 12)) {
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  return undefined;
}

/** The first start-of-frame segment's dimensions (SOF0..SOF15 but DHT, JPG and DAC). */
function jpegSize(bytes: Uint8Array, view: DataView): { width: number; height: number } | undefined {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = view.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
    }
    at += 2 + length;
  }
  return undefined;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether the bytes can be a document of this format (magic number, or UTF-8 text for text formats). */
function documentMatches(bytes: Uint8Array, format: DocumentFormat): boolean {
  switch (format) {
    case 'pdf':
      return startsWith(bytes, ascii('%PDF-'));
    case 'docx':
    case 'xlsx':
      return startsWith(bytes, ZIP);
    case 'doc':
    case 'xls':
      return startsWith(bytes, OLE);
    case 'csv':
    case 'html':
    case 'txt':
    case 'md':
      try {
        utf8.decode(bytes);
        return !bytes.includes(0);
      } catch {
        return false;
      }
  }
}

function checkImage(part: ImagePart, where: string): void {
  if (!IMAGE_TYPES.includes(part.mediaType)) {
    fail(
      `${where}.mediaType must be one of ${IMAGE_TYPES.join(', ')} (got ${JSON.stringify(part.mediaType)}): convert the image to one of them.`,
    );
  }
  const bytes = mediaBytes(part.data, where);
  if (bytes.length === 0) fail(`${where} is an empty image: pass the image's bytes.`);
  if (bytes.length > MEDIA_LIMITS.imageBytes) {
    fail(
      `${where} is ${megabytes(bytes.length)}, over Bedrock's ${megabytes(MEDIA_LIMITS.imageBytes)} limit per image: scale it down or recompress it.`,
    );
  }
  const sniffed = sniffImage(bytes);
  if (sniffed !== part.mediaType) {
    fail(
      `${where}.mediaType is ${part.mediaType} but the bytes ${sniffed === undefined ? 'are no PNG, JPEG, GIF or WebP image' : `are ${sniffed}`}: ` +
        `${sniffed === undefined ? 'pass the image file itself' : `set mediaType: '${sniffed}'`}.`,
    );
  }
  const size = imageSize(bytes, part.mediaType);
  const side = MEDIA_LIMITS.imageSidePixels;
  if (size !== undefined && (size.width > side || size.height > side)) {
    fail(`${where} is ${size.width}x${size.height} pixels, over Bedrock's ${side} pixels a side: scale it down.`);
  }
}

function checkDocument(part: DocumentPart, where: string): void {
  if (!DOCUMENT_FORMATS.includes(part.format)) {
    fail(`${where}.format must be one of ${DOCUMENT_FORMATS.join(', ')} (got ${JSON.stringify(part.format)}).`);
  }
  const { name } = part;
  if (typeof name !== 'string' || name.length === 0 || name.length > MEDIA_LIMITS.documentNameLength) {
    fail(
      `${where}.name must be 1 to ${MEDIA_LIMITS.documentNameLength} characters: give the document a short name such as "Q3 report".`,
    );
  }
  if (!DOCUMENT_NAME.test(name)) {
    fail(
      `${where}.name ${JSON.stringify(name)} breaks Bedrock's name rule (letters, digits, single spaces, hyphens, ` +
        `parentheses and square brackets only): rename it, e.g. without the file extension's dot.`,
    );
  }
  const bytes = mediaBytes(part.data, where);
  if (bytes.length === 0) fail(`${where} is an empty document: pass the document's bytes.`);
  if (bytes.length > MEDIA_LIMITS.documentBytes) {
    fail(
      `${where} is ${megabytes(bytes.length)}, over Bedrock's ${megabytes(MEDIA_LIMITS.documentBytes)} limit per document: split it or send fewer pages.`,
    );
  }
  if (!documentMatches(bytes, part.format)) {
    fail(
      `${where} is declared ${part.format}, but its bytes are not a ${part.format} file: set the format the file really has.`,
    );
  }
}

/**
 * Checks every image and document part of a conversation against Bedrock's limits. Cold path: runs
 * once per call, only over messages that have parts.
 */
export function checkMediaParts(messages: readonly ChatMessage[]): void {
  let images = 0;
  let documents = 0;
  messages.forEach((message, index) => {
    if (typeof message.content === 'string') return;
    message.content.forEach((part: ContentPart, partIndex: number) => {
      const where = `messages[${index}].content[${partIndex}]`;
      if (part.type === 'image') {
        checkImage(part, where);
        images++;
      } else if (part.type === 'document') {
        checkDocument(part, where);
        documents++;
      }
    });
  });
  if (images > MEDIA_LIMITS.imagesPerRequest) {
    fail(
      `The request has ${images} images, over Bedrock's ${MEDIA_LIMITS.imagesPerRequest} per request: send fewer, or split the conversation.`,
    );
  }
  if (documents > MEDIA_LIMITS.documentsPerRequest) {
    fail(
      `The request has ${documents} documents, over Bedrock's ${MEDIA_LIMITS.documentsPerRequest} per request: send fewer, or merge them.`,
    );
  }
}
