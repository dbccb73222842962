/**
 * Request bodies with images, documents, cache points, guardrails and service options, per family
 * (bedrock-wire.md §1.2, §4.1, §4.3, §5).
 */
import { describe, expect, it } from 'vitest';
import { ConverseStreamCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { streamCommand, unaryCommand } from '../../src/client/upstream.js';
import type { ContentPart } from '../../src/models/content.js';
import { buildConverseInput } from '../../src/models/converse.js';
import { resolveAdapter } from '../../src/models/registry.js';
import type { NormalizedRequest } from '../../src/models/types.js';
import { pdf, png } from '../support/media-samples.js';

const pngBytes = png(3, 2);
const pdfBytes = pdf();
const parts: ContentPart[] = [
  { type: 'text', text: 'Long shared context.' },
  { type: 'cache-point' },
  { type: 'image', mediaType: 'image/png', data: pngBytes },
  { type: 'document', format: 'pdf', name: 'Q3 report', data: pdfBytes },
  { type: 'text', text: 'Summarise both.' },
];
const request: NormalizedRequest = {
  system: 'Be brief.',
  messages: [{ role: 'user', content: parts }],
  maxTokens: 100,
  cachePoints: { system: true },
};
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('content parts per family', () => {
  it('Claude: image and PDF blocks with base64 sources, cache_control on the block before each point', () => {
    const body = resolveAdapter('anthropic.claude-3-5-sonnet-20240620-v1:0').buildRequest(request);
    expect(body.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Long shared context.', cache_control: { type: 'ephemeral' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: b64(pngBytes) } },
          {
            type: 'document',
            title: 'Q3 report',
            source: { type: 'base64', media_type: 'application/pdf', data: b64(pdfBytes) },
          },
          { type: 'text', text: 'Summarise both.' },
        ],
      },
    ]);
  });

  it('Claude: a text document becomes a plain-text source; a string message stays a string', () => {
    const body = resolveAdapter('anthropic.claude-3-haiku-20240307-v1:0').buildRequest({
      maxTokens: 10,
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
        {
          role: 'user',
          content: [{ type: 'document', format: 'txt', name: 'Notes', data: Buffer.from('a, b').toString('base64') }],
        },
      ],
    });
    expect(body.system).toBeUndefined();
    expect(body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      {
        role: 'user',
        content: [
          { type: 'document', title: 'Notes', source: { type: 'text', media_type: 'text/plain', data: 'a, b' } },
        ],
      },
    ]);
  });

  it('Nova: image/document blocks with base64 bytes and cachePoint blocks', () => {
    const body = resolveAdapter('amazon.nova-lite-v1:0').buildRequest(request);
    expect(body.system).toEqual([{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { text: 'Long shared context.' },
          { cachePoint: { type: 'default' } },
          { image: { format: 'png', source: { bytes: b64(pngBytes) } } },
          { document: { format: 'pdf', name: 'Q3 report', source: { bytes: b64(pdfBytes) } } },
          { text: 'Summarise both.' },
        ],
      },
    ]);
  });

  it('Llama vision: an <|image|> marker in the turn, the base64 in `images`', () => {
    const body = resolveAdapter('us.meta.llama3-2-11b-instruct-v1:0').buildRequest({
      maxTokens: 50,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', mediaType: 'image/png', data: pngBytes },
            { type: 'text', text: 'What is it?' },
          ],
        },
      ],
    });
    expect(body.prompt).toBe(
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n<|image|>What is it?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    expect(body.images).toEqual([b64(pngBytes)]);
  });

  it('Converse: the SDK blocks take the bytes as Uint8Array (base64 input decoded)', () => {
    const input = buildConverseInput('amazon.nova-pro-v1:0', {
      ...request,
      messages: [{ role: 'user', content: [{ type: 'image', mediaType: 'image/png', data: b64(pngBytes) }, ...parts] }],
    });
    expect(input.system).toEqual([{ text: 'Be brief.' }, { cachePoint: { type: 'default' } }]);
    const content = input.messages?.[0]?.content ?? [];
    expect(content[0]).toEqual({ image: { format: 'png', source: { bytes: expect.any(Uint8Array) } } });
    expect(Buffer.from(content[0]?.image?.source?.bytes ?? []).equals(Buffer.from(pngBytes))).toBe(true);
    expect(content.slice(1)).toEqual([
      { text: 'Long shared context.' },
      { cachePoint: { type: 'default' } },
      { image: { format: 'png', source: { bytes: pngBytes } } },
      { document: { format: 'pdf', name: 'Q3 report', source: { bytes: pdfBytes } } },
      { text: 'Summarise both.' },
    ]);
  });
});

describe('guardrail and service options on the commands', () => {
  const options: NormalizedRequest = {
    messages: [{ role: 'user', content: 'Hi' }],
    maxTokens: 10,
    guardrail: { id: 'gr1abc', version: '3', trace: true, streamProcessingMode: 'async' },
    performanceConfig: { latency: 'optimized' },
    serviceTier: 'priority',
    requestMetadata: { team: 'search', run: '42' },
  };
  const claude = resolveAdapter('anthropic.claude-3-haiku-20240307-v1:0');

  it('InvokeModelWithResponseStream: the command members (headers) and the body guardrail config', () => {
    const command = streamCommand('invoke', 'anthropic.claude-3-haiku-20240307-v1:0', claude, options);
    expect(command).toBeInstanceOf(InvokeModelWithResponseStreamCommand);
    const { body, ...members } = command.input as { body: string };
    expect(members).toEqual({
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      contentType: 'application/json',
      accept: 'application/json',
      guardrailIdentifier: 'gr1abc',
      guardrailVersion: '3',
      trace: 'ENABLED',
      performanceConfigLatency: 'optimized',
      serviceTier: 'priority',
      requestMetadata: '{"team":"search","run":"42"}',
    });
    expect(JSON.parse(body)).toMatchObject({
      'amazon-bedrock-guardrailConfig': { streamProcessingMode: 'ASYNCHRONOUS' },
    });
  });

  it('InvokeModel: the same members, no stream processing mode in the body', () => {
    const command = unaryCommand('invoke', 'anthropic.claude-3-haiku-20240307-v1:0', claude, options);
    const input = command.input as { body: string; guardrailIdentifier: string };
    expect(input.guardrailIdentifier).toBe('gr1abc');
    expect(JSON.parse(input.body)).not.toHaveProperty('amazon-bedrock-guardrailConfig');
  });

  it('a plain request adds no member (the lean request template still applies)', () => {
    const command = streamCommand('invoke', 'x', claude, { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 5 });
    expect(Object.keys(command.input).sort()).toEqual(['accept', 'body', 'contentType', 'modelId']);
  });

  it('ConverseStream: guardrailConfig with streamProcessingMode, performanceConfig, serviceTier, requestMetadata', () => {
    const command = streamCommand('converse', 'amazon.nova-lite-v1:0', undefined, options);
    expect(command).toBeInstanceOf(ConverseStreamCommand);
    expect(command.input).toMatchObject({
      guardrailConfig: {
        guardrailIdentifier: 'gr1abc',
        guardrailVersion: '3',
        trace: 'enabled',
        streamProcessingMode: 'async',
      },
      performanceConfig: { latency: 'optimized' },
      serviceTier: { type: 'priority' },
      requestMetadata: { team: 'search', run: '42' },
    });
    const unary = unaryCommand('converse', 'amazon.nova-lite-v1:0', undefined, options);
    expect(unary.input).toMatchObject({ guardrailConfig: { guardrailIdentifier: 'gr1abc', guardrailVersion: '3' } });
    expect((unary.input as { guardrailConfig: object }).guardrailConfig).not.toHaveProperty('streamProcessingMode');
  });
});
