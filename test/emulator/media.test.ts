/**
 * Images and documents through the real AWS SDK: accepted by Claude (native and Converse) and Nova, counted
 * as input tokens (an image width × height / 750 from its header, a document by its text), and refused as
 * Bedrock refuses them: by models that cannot read them (Titan), when too large, too many, too wide, or
 * badly named.
 */
import { ConverseCommand, type Message } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { imageDimensions } from '../../src/emulator/media.js';
import { CLAUDE, invokeJson, rejection, useEmulator, type Json } from './support.js';

const NOVA = 'us.amazon.nova-lite-v1:0';
const TITAN = 'amazon.titan-text-premier-v1:0';

/** A PNG header (signature + IHDR) of the given size, padded to `length` bytes: enough for Bedrock's checks. */
function png(width: number, height: number, length = 64): Buffer {
  const bytes = Buffer.alloc(length);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

function jpeg(width: number, height: number): Buffer {
  // SOI, an APP0 segment, then SOF0 with the size.
  return Buffer.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x04,
    0x00,
    0x00,
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << >> stream\nBT (Quarterly revenue grew by ten percent) Tj ET\nendstream\n%%EOF',
);

const rig = useEmulator();

const invoke = (modelId: string, body: Json) => invokeJson(rig.client, modelId, body);

function claude(content: Json[]): Json {
  return { anthropic_version: 'bedrock-2023-05-31', max_tokens: 20, messages: [{ role: 'user', content }] };
}

const claudeImage = (bytes: Buffer, mediaType = 'image/png') => ({
  type: 'image',
  source: { type: 'base64', media_type: mediaType, data: bytes.toString('base64') },
});

describe('Claude messages (InvokeModel)', () => {
  it('accepts an image and a PDF and counts them as input tokens', async () => {
    const text = { type: 'text', text: 'Describe these.' };
    const plain = await invoke(CLAUDE, claude([text]));
    const withImage = await invoke(CLAUDE, claude([claudeImage(png(300, 200)), text]));
    expect(withImage.usage.input_tokens - plain.usage.input_tokens).toBe(Math.ceil((300 * 200) / 750));
    const withPdf = await invoke(
      CLAUDE,
      claude([
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF.toString('base64') } },
        text,
      ]),
    );
    expect(withPdf.usage.input_tokens).toBeGreaterThan(plain.usage.input_tokens + 5);
    const withJpeg = await invoke(CLAUDE, claude([claudeImage(jpeg(750, 10), 'image/jpeg'), text]));
    expect(withJpeg.usage.input_tokens - plain.usage.input_tokens).toBe(10);
  });

  it('refuses an oversize image, too many images, an image over 8000 px and a mislabelled one', async () => {
    const oversize = await rejection(invoke(CLAUDE, claude([claudeImage(png(10, 10, 4 * 1024 * 1024))])));
    expect(oversize.name).toBe('ValidationException');
    expect(oversize.message).toContain('image exceeds 3.75 MB maximum');
    const many = await rejection(invoke(CLAUDE, claude(Array.from({ length: 21 }, () => claudeImage(png(8, 8))))));
    expect(many.message).toBe('Too many images: 21 > 20.');
    const wide = await rejection(invoke(CLAUDE, claude([claudeImage(png(9000, 10))])));
    expect(wide.message).toContain('At least one of the image dimensions exceed max allowed size: 8000 pixels');
    const mislabelled = await rejection(invoke(CLAUDE, claude([claudeImage(png(8, 8), 'image/jpeg')])));
    expect(mislabelled.message).toContain(
      'specified using the image/jpeg media type, but the image appears to be a image/png image',
    );
  });
});

describe('Nova (InvokeModel)', () => {
  it('accepts image and document blocks', async () => {
    const body = await invoke(NOVA, {
      messages: [
        {
          role: 'user',
          content: [
            { image: { format: 'png', source: { bytes: png(150, 150).toString('base64') } } },
            { document: { format: 'pdf', name: 'Report (Q3)', source: { bytes: PDF.toString('base64') } } },
            { text: 'Summarise.' },
          ],
        },
      ],
    });
    expect(body.usage.inputTokens).toBeGreaterThan(30);
    expect(body.stopReason).toBe('end_turn');
  });
});

describe('Converse', () => {
  const messages = (extra: Message['content']): Message[] => [
    { role: 'user', content: [...extra!, { text: 'What is in these?' }] },
  ];

  it('accepts an image and a PDF on Claude, refuses them on Titan with Bedrock’s message', async () => {
    const content: Message['content'] = [
      { image: { format: 'png', source: { bytes: png(75, 10) } } },
      { document: { format: 'pdf', name: 'report', source: { bytes: PDF } } },
    ];
    const answer = await rig.client.send(new ConverseCommand({ modelId: CLAUDE, messages: messages(content) }));
    const plain = await rig.client.send(new ConverseCommand({ modelId: CLAUDE, messages: messages([]) }));
    expect(answer.usage!.inputTokens! - plain.usage!.inputTokens!).toBeGreaterThan(1);
    const titan = await rejection(
      rig.client.send(new ConverseCommand({ modelId: TITAN, messages: messages(content) })),
    );
    expect(titan.name).toBe('ValidationException');
    expect(titan.message).toBe("This model doesn't support the image field for user messages.");
  });

  it('refuses too many documents and a bad document name', async () => {
    const doc = (name: string) => ({
      document: { format: 'txt' as const, name, source: { bytes: Buffer.from('hi') } },
    });
    const many = await rejection(
      rig.client.send(
        new ConverseCommand({ modelId: CLAUDE, messages: messages(Array.from({ length: 6 }, (_, i) => doc(`d${i}`))) }),
      ),
    );
    expect(many.message).toBe('The model returned the following errors: Too many documents: 6 > 5.');
    const badName = await rejection(
      rig.client.send(new ConverseCommand({ modelId: CLAUDE, messages: messages([doc('notes.txt')]) })),
    );
    expect(badName.message).toContain('can only contain alphanumeric characters');
  });
});

describe('image headers', () => {
  it('reads GIF and WebP dimensions', () => {
    const gif = Buffer.alloc(16);
    gif.write('GIF89a', 0, 'latin1');
    gif.writeUInt16LE(320, 6);
    gif.writeUInt16LE(240, 8);
    expect(imageDimensions(gif)).toEqual({ width: 320, height: 240 });
    const webp = Buffer.alloc(32);
    webp.write('RIFF', 0, 'latin1');
    webp.write('WEBPVP8X', 8, 'latin1');
    webp.writeUIntLE(639, 24, 3);
    webp.writeUIntLE(479, 27, 3);
    expect(imageDimensions(webp)).toEqual({ width: 640, height: 480 });
  });
});
