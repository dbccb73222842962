/**
 * Images and documents end to end against the emulator (real SDK, real HTTP): accepted by Claude and Nova
 * natively and by Converse, refused by a text-only family with the fix, and Bedrock's limits checked
 * before any request (the emulator's request log stays empty).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import type { ContentPart } from '../../src/models/content.js';
import { MEDIA_LIMITS } from '../../src/models/media-parts.js';
import { pdf, png, pngHeaderOnly } from '../support/media-samples.js';
import { useEmulatorClient } from './emulator-harness.js';

const rig = useEmulatorClient();

const pngBytes = png(64, 48);
const pdfBytes = pdf();
const question: ContentPart = { type: 'text', text: 'What do the picture and the report show?' };
const picture: ContentPart = { type: 'image', mediaType: 'image/png', data: pngBytes };
const report: ContentPart = { type: 'document', format: 'pdf', name: 'Q3 report', data: pdfBytes };
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function thrown(call: () => unknown): ValidationError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('an image and a PDF reach the model', () => {
  it.each([
    ['invoke', 'us.anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['invoke', 'us.amazon.nova-lite-v1:0'],
    ['converse', 'us.anthropic.claude-3-5-sonnet-20240620-v1:0'],
    ['converse', 'us.amazon.nova-pro-v1:0'],
  ] as const)('%s %s', async (api, modelId) => {
    const result = await rig.client
      .invokeStream({ modelId, api, messages: [{ role: 'user', content: [question, picture, report] }] })
      .finalResult();
    expect(result.stopReason).toBe('end_turn');
    expect(result.text.length).toBeGreaterThan(0);
    // The image and the document are input the model read: they cost input tokens.
    const textOnly = await rig.client
      .invokeStream({ modelId, api, messages: [{ role: 'user', content: [question] }] })
      .finalResult();
    expect(result.usage.inputTokens).toBeGreaterThan(textOnly.usage.inputTokens);
    const [entry] = rig.emu.requestLog.entries();
    expect(entry?.status).toBe(200);
    // What reached the emulator is the family's own block shape with the bytes intact.
    const sent = JSON.stringify(entry?.body);
    expect(sent).toContain(b64(pngBytes));
    expect(sent).toContain(b64(pdfBytes));
    if (api === 'invoke' && modelId.includes('anthropic')) {
      expect(sent).toContain('"media_type":"image/png"');
      expect(sent).toContain('"media_type":"application/pdf"');
    } else {
      expect(sent).toContain('"format":"png"');
      expect(sent).toContain('"name":"Q3 report"');
    }
  });
});

it("Claude's native format takes a text document as a plain-text source", async () => {
  const notes: ContentPart = {
    type: 'document',
    format: 'md',
    name: 'Notes',
    data: b64(Buffer.from('# Notes\n\nShip on Friday.')),
  };
  const result = await rig.client
    .invokeStream({ messages: [{ role: 'user', content: [question, notes] }] })
    .finalResult();
  expect(result.stopReason).toBe('end_turn');
  expect(JSON.stringify(rig.emu.requestLog.entries()[0]?.body)).toContain('"type":"text","media_type":"text/plain"');
});

it('Llama 3.2 vision takes an image natively (an <|image|> marker and `images`)', async () => {
  const result = await rig.client
    .invokeStream({
      modelId: 'us.meta.llama3-2-11b-instruct-v1:0',
      messages: [{ role: 'user', content: [picture, question] }],
    })
    .finalResult();
  expect(result.text.length).toBeGreaterThan(0);
  expect(rig.emu.requestLog.entries()[0]?.body).toMatchObject({
    prompt: expect.stringContaining('<|image|>What do the picture'),
    images: [b64(pngBytes)],
  });
});

describe('a family whose format takes no media is refused with the fix, before any call', () => {
  it.each([
    ['meta.llama3-8b-instruct-v1:0', 'an image'],
    ['mistral.mistral-7b-instruct-v0:2', 'an image'],
    ['amazon.titan-text-express-v1', 'an image'],
  ])('%s', (modelId, what) => {
    const error = thrown(() =>
      rig.client.invokeStream({ modelId, messages: [{ role: 'user', content: [question, picture] }] }),
    );
    expect(error.message).toContain(`messages[0].content[1] is ${what}`);
    expect(error.message).toContain("send it with api: 'converse'");
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
  });

  it("Claude's native format refuses a docx with the fix; Converse takes it", async () => {
    const docx: ContentPart = {
      type: 'document',
      format: 'docx',
      name: 'Plan',
      data: new Uint8Array([0x50, 0x4b, 3, 4, 0]),
    };
    const messages = [{ role: 'user' as const, content: [question, docx] }];
    expect(thrown(() => rig.client.invokeStream({ messages })).message).toContain("api: 'converse'");
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
    const result = await rig.client.invokeStream({ messages, api: 'converse' }).finalResult();
    expect(result.stopReason).toBe('end_turn');
  });
});

describe("Bedrock's limits are checked rig.client-side: no request reaches the emulator", () => {
  const oversized = new Uint8Array(MEDIA_LIMITS.imageBytes + 1);
  oversized.set(png(1, 1));
  const bigDocument = new Uint8Array(MEDIA_LIMITS.documentBytes + 1);
  bigDocument.set(pdf());
  it.each<[string, ContentPart[], string]>([
    ['an image over 3.75 MB', [question, { ...picture, data: oversized }], "over Bedrock's 3.75 MB limit per image"],
    [
      'an image over 8000 px',
      [question, { ...picture, data: pngHeaderOnly(9000, 20) }],
      "over Bedrock's 8000 pixels a side",
    ],
    ['21 images', [question, ...Array.from({ length: 21 }, () => picture)], "21 images, over Bedrock's 20 per request"],
    [
      'a document over 4.5 MB',
      [question, { ...report, data: bigDocument }],
      "over Bedrock's 4.5 MB limit per document",
    ],
    [
      '6 documents',
      [question, ...Array.from({ length: 6 }, (_, i): ContentPart => ({ ...report, name: `Report ${i}` }))],
      "6 documents, over Bedrock's 5 per request",
    ],
    ['a bad document name', [question, { ...report, name: 'report.pdf' }], "breaks Bedrock's name rule"],
    ['invalid base64', [question, { ...picture, data: 'not base64!' }], 'is not valid base64'],
    [
      'a media type the bytes contradict',
      [question, { ...picture, mediaType: 'image/jpeg' }],
      "set mediaType: 'image/png'",
    ],
  ])('%s', (_name, content, message) => {
    for (const api of ['invoke', 'converse'] as const) {
      expect(thrown(() => rig.client.invokeStream({ api, messages: [{ role: 'user', content }] })).message).toContain(
        message,
      );
    }
    expect(rig.emu.requestLog.entries()).toHaveLength(0);
  });
});
