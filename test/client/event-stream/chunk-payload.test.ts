import { describe, expect, it } from 'vitest';
import {
  ChunkPayloadError,
  decodeChunkPayload,
  decodeJsonPayload,
} from '../../../src/client/event-stream/chunk-payload.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

describe('decodeChunkPayload', () => {
  const inner = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'héllo 世界 🎉 "q"' } };

  it('decodes the captured wrapper shape {"bytes":..,"p":..}', () => {
    expect(decodeChunkPayload(utf8(JSON.stringify({ bytes: b64(inner), p: 'abcdefghij' })))).toEqual(inner);
  });

  it('decodes padding first, spaces around the colon, and padding that mentions "bytes"', () => {
    expect(decodeChunkPayload(utf8(`{"p":"abc","bytes" : "${b64(inner)}"}`))).toEqual(inner);
    expect(decodeChunkPayload(utf8(`{"p":"x\\"bytes\\":\\"zz","bytes":"${b64(inner)}"}`))).toEqual(inner);
  });

  it('decodes every base64 tail length (0, 1 and 2 padding characters)', () => {
    for (const text of ['a', 'ab', 'abc', 'abcd']) {
      const value = { t: text };
      expect(decodeChunkPayload(utf8(JSON.stringify({ bytes: b64(value) })))).toEqual(value);
    }
  });

  it('decodes a wrapper with escaped slashes through the JSON path', () => {
    const bytes = b64({ t: '???>>>' }); // contains '/' and '+'
    expect(bytes).toMatch(/[/+]/);
    const escaped = `{"bytes":"${bytes.replace(/\//g, '\\/')}","p":"ab"}`;
    expect(decodeChunkPayload(utf8(escaped))).toEqual({ t: '???>>>' });
  });

  it('decodes large chunks (scratch buffer grows)', () => {
    const big = { text: 'x'.repeat(20_000) };
    expect(decodeChunkPayload(utf8(JSON.stringify({ bytes: b64(big) })))).toEqual(big);
  });

  it('throws ChunkPayloadError for a wrapper without bytes or inner JSON that is not an object', () => {
    expect(() => decodeChunkPayload(utf8('{"p":"abc"}'))).toThrow(ChunkPayloadError);
    expect(() => decodeChunkPayload(utf8(`{"bytes":"${Buffer.from('[1]').toString('base64')}"}`))).toThrow(
      /not a JSON object/,
    );
    expect(() => decodeChunkPayload(utf8('not json'))).toThrow(/not valid JSON/);
  });
});

describe('decodeJsonPayload', () => {
  it('parses a Converse event payload and keeps the padding key harmlessly', () => {
    expect(decodeJsonPayload(utf8('{"contentBlockIndex":0,"delta":{"text":"OK"},"p":"abc"}'))).toEqual({
      contentBlockIndex: 0,
      delta: { text: 'OK' },
      p: 'abc',
    });
  });
});
