import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { ContentPart } from '../../src/models/content.js';
import { checkMediaParts, imageSize, MEDIA_LIMITS } from '../../src/models/media-parts.js';
import { checkNativeMedia } from '../../src/models/media-support.js';
import type { ChatMessage } from '../../src/models/types.js';
import { gifHeader, jpegHeader, pdf, png, pngHeaderOnly } from '../support/media-samples.js';

const user = (...content: ContentPart[]): ChatMessage[] => [{ role: 'user', content }];
const text: ContentPart = { type: 'text', text: 'What is this?' };
const image = (data: Uint8Array | string = png(4, 3)): ContentPart => ({ type: 'image', mediaType: 'image/png', data });
const doc = (name = 'Q3 report', data: Uint8Array | string = pdf()): ContentPart => ({
  type: 'document',
  format: 'pdf',
  name,
  data,
});

function refusal(check: () => void): ValidationError {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

/** A WebP VP8X header (the extended format), with a 24-bit width - 1 and height - 1. */
function webpHeader(width: number, height: number): Uint8Array {
  const bytes = Buffer.alloc(30);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(22, 4);
  bytes.write('WEBPVP8X', 8, 'latin1');
  bytes.writeUIntLE(width - 1, 24, 3);
  bytes.writeUIntLE(height - 1, 27, 3);
  return bytes;
}

describe('image sizes read from the headers', () => {
  it.each([
    ['image/png', png(17, 9)],
    ['image/jpeg', jpegHeader(17, 9)],
    ['image/gif', gifHeader(17, 9)],
    ['image/webp', webpHeader(17, 9)],
  ] as const)('%s', (type, bytes) => {
    expect(imageSize(bytes, type)).toEqual({ width: 17, height: 9 });
  });
});

describe('checkMediaParts: what Bedrock would refuse fails before the call', () => {
  it('accepts images (bytes or base64) and documents within the limits', () => {
    const base64 = Buffer.from(png(2, 2)).toString('base64');
    expect(() => checkMediaParts(user(text, image(), image(base64), doc()))).not.toThrow();
    expect(() =>
      checkMediaParts(user({ type: 'document', format: 'md', name: 'Notes (draft) [v2]', data: '# Title' })),
    ).toThrow(/base64/); // a string is base64, never raw text
    const md = Buffer.from('# Title\n\nSome notes.').toString('base64');
    expect(() =>
      checkMediaParts(user({ type: 'document', format: 'md', name: 'Notes (draft) [v2]', data: md })),
    ).not.toThrow();
  });

  it('an image over 3.75 MB names the limit and the fix', () => {
    const big = new Uint8Array(MEDIA_LIMITS.imageBytes + 1);
    big.set(png(1, 1));
    const error = refusal(() => checkMediaParts(user(image(big))));
    expect(error.message).toContain('messages[0].content[0]');
    expect(error.message).toContain("over Bedrock's 3.75 MB limit per image");
    expect(error.message).toContain('scale it down or recompress it');
  });

  it('an image over 8000 pixels a side', () => {
    const error = refusal(() => checkMediaParts(user(image(pngHeaderOnly(8001, 10)))));
    expect(error.message).toContain("8001x10 pixels, over Bedrock's 8000 pixels a side: scale it down");
  });

  it('more than 20 images in one request', () => {
    const images = Array.from({ length: 21 }, () => image());
    expect(refusal(() => checkMediaParts(user(...images))).message).toContain(
      "21 images, over Bedrock's 20 per request",
    );
    expect(() => checkMediaParts(user(...images.slice(1)))).not.toThrow();
  });

  it('a media type that does not match the bytes says which type they are', () => {
    const jpeg: ContentPart = { type: 'image', mediaType: 'image/png', data: jpegHeader(4, 4) };
    expect(refusal(() => checkMediaParts(user(jpeg))).message).toContain(
      "mediaType is image/png but the bytes are image/jpeg: set mediaType: 'image/jpeg'",
    );
    const notImage: ContentPart = { type: 'image', mediaType: 'image/gif', data: pdf() };
    expect(refusal(() => checkMediaParts(user(notImage))).message).toContain('are no PNG, JPEG, GIF or WebP image');
  });

  it('invalid base64 and data: URLs', () => {
    expect(refusal(() => checkMediaParts(user(image('iVBORw0K$$$='))))).toHaveProperty(
      'message',
      expect.stringContaining('is not valid base64'),
    );
    expect(refusal(() => checkMediaParts(user(image('data:image/png;base64,AAAA')))).message).toContain(
      'pass only the base64 after the comma',
    );
  });

  it('a document over 4.5 MB, more than 5 documents, a format its bytes are not', () => {
    const big = new Uint8Array(MEDIA_LIMITS.documentBytes + 1);
    big.set(pdf());
    expect(refusal(() => checkMediaParts(user(doc('Big', big)))).message).toContain(
      "over Bedrock's 4.5 MB limit per document",
    );
    const six = Array.from({ length: 6 }, (_, i) => doc(`Doc ${i}`));
    expect(refusal(() => checkMediaParts(user(...six))).message).toContain("6 documents, over Bedrock's 5 per request");
    expect(refusal(() => checkMediaParts(user(doc('Fake', png(2, 2))))).message).toContain(
      'declared pdf, but its bytes are not a pdf file',
    );
  });

  it.each(['report.pdf', 'a  b', 'Café menu', 'semi;colon', ''])('document name %j breaks the name rule', (name) => {
    expect(refusal(() => checkMediaParts(user(doc(name)))).message).toMatch(/name/);
  });
});

describe('checkNativeMedia: families whose native format takes no media name the fix', () => {
  it.each(['llama', 'titan', 'mistral', 'cohere', 'deepseek', 'openai'] as const)('%s refuses an image', (family) => {
    const error = refusal(() => checkNativeMedia(family, user(text, image())));
    expect(error.message).toContain('messages[0].content[1] is an image');
    expect(error.message).toContain("send it with api: 'converse'");
  });

  it('Claude takes images, PDF and text documents, and refuses the office formats with the fix', () => {
    expect(() => checkNativeMedia('anthropic', user(image(), doc()))).not.toThrow();
    const docx: ContentPart = {
      type: 'document',
      format: 'docx',
      name: 'Plan',
      data: new Uint8Array([0x50, 0x4b, 3, 4]),
    };
    const error = refusal(() => checkNativeMedia('anthropic', user(docx)));
    expect(error.message).toContain("Claude's Messages format takes pdf, txt, md documents only");
    expect(error.message).toContain("api: 'converse'");
  });

  it('Llama takes images on its vision models only', () => {
    expect(() => checkNativeMedia('llama', user(text, image()), 'us.meta.llama3-2-90b-instruct-v1:0')).not.toThrow();
    expect(() =>
      checkNativeMedia('llama', user(text, image()), 'us.meta.llama4-scout-17b-instruct-v1:0'),
    ).not.toThrow();
    expect(
      refusal(() => checkNativeMedia('llama', user(text, image()), 'meta.llama3-8b-instruct-v1:0')).message,
    ).toContain('images on Llama 3.2 11B/90B and Llama 4 only');
    expect(() => checkNativeMedia('llama', user(doc()), 'us.meta.llama3-2-90b-instruct-v1:0')).toThrow(
      /takes no documents|documents only/,
    );
  });

  it('Nova takes every document format', () => {
    const docx: ContentPart = {
      type: 'document',
      format: 'docx',
      name: 'Plan',
      data: new Uint8Array([0x50, 0x4b, 3, 4]),
    };
    expect(() => checkNativeMedia('nova', user(image(), docx))).not.toThrow();
  });
});
