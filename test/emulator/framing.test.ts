import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import {
  encodeChunkEvent,
  encodeConverseEvent,
  encodeErrorFrame,
  encodeExceptionEvent,
  encodeHeaders,
  encodeMessage,
  padding,
} from '../../src/emulator/event-stream/encoder.js';

// An independent codec (the one the AWS SDK itself uses) decodes what we encode.
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const hex = (value: string) => Buffer.from(value.replace(/\s+/g, ''), 'hex');

describe('event-stream encoder', () => {
  it('matches the empty-message test vector (bedrock-wire.md §2.6)', () => {
    expect(encodeMessage(Buffer.alloc(0), Buffer.alloc(0))).toEqual(hex('00000010 00000000 05c248eb 7d98c8ff'));
  });

  it('matches the {"foo": "bar"} test vector', () => {
    const message = encodeMessage(Buffer.alloc(0), Buffer.from('{"foo": "bar"}'));
    expect(message).toEqual(hex('0000001e 00000000 baf2f68a 7b22666f6f223a2022626172227d ae7258e4'));
  });

  it('matches the composed chunk frame byte for byte', () => {
    const expected = hex(
      '000000870000004b87ea2bf3 0b3a6576656e742d747970650700056368756e6b 0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e 0d3a6d6573736167652d747970650700056576656e74 7b226279746573223a2265794a306558426c496a6f696257567a6332466e5a56397a64473977496e303d227d ba48ab22',
    );
    expect(encodeChunkEvent('{"type":"message_stop"}')).toEqual(expected);
  });

  it('matches the composed throttlingException frame byte for byte', () => {
    const expected = hex(
      '000000b2000000613590d5d3 0d3a6d6573736167652d74797065070009657863657074696f6e 0f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e 0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e 7b226d657373616765223a22546f6f206d616e792072657175657374732c20706c656173652077616974206265666f726520747279696e6720616761696e2e227d 1d4f6dc6',
    );
    const frame = encodeExceptionEvent(
      'throttlingException',
      '{"message":"Too many requests, please wait before trying again."}',
    );
    expect(frame).toEqual(expected);
  });

  it('round-trips chunk events with padding and multi-byte text through @smithy/eventstream-codec', () => {
    const inner = JSON.stringify({
      type: 'content_block_delta',
      delta: { type: 'text_delta', text: 'Zürich — café 🚀' },
    });
    const decoded = codec.decode(encodeChunkEvent(inner, padding(37)));
    expect(decoded.headers[':event-type']).toEqual({ type: 'string', value: 'chunk' });
    expect(decoded.headers[':message-type']).toEqual({ type: 'string', value: 'event' });
    expect(decoded.headers[':content-type']).toEqual({ type: 'string', value: 'application/json' });
    const payload = JSON.parse(Buffer.from(decoded.body).toString('utf8')) as { bytes: string; p: string };
    expect(payload.p).toBe('abcdefghijklmnopqrstuvwxyzABCDEFGHIJK');
    expect(Buffer.from(payload.bytes, 'base64').toString('utf8')).toBe(inner);
  });

  it('encodes converse events, exceptions and error frames the SDK codec accepts', () => {
    const converse = codec.decode(
      encodeConverseEvent('contentBlockDelta', '{"contentBlockIndex":0,"delta":{"text":"OK"}}'),
    );
    expect(converse.headers[':event-type']?.value).toBe('contentBlockDelta');
    expect(Buffer.from(converse.body).toString()).toBe('{"contentBlockIndex":0,"delta":{"text":"OK"}}');

    const exception = codec.decode(encodeExceptionEvent('modelStreamErrorException', '{"message":"boom"}'));
    expect(exception.headers[':exception-type']?.value).toBe('modelStreamErrorException');

    const error = codec.decode(encodeErrorFrame('InternalFailure', 'Something broke'));
    expect(error.headers[':message-type']?.value).toBe('error');
    expect(error.headers[':error-code']?.value).toBe('InternalFailure');
    expect(error.headers[':error-message']?.value).toBe('Something broke');
    expect(error.body.length).toBe(0);
  });

  it('encodes header names and values of any UTF-8 length', () => {
    const headers = encodeHeaders([['x', 'ünïcødé']]);
    const decoded = codec.decode(encodeMessage(headers, Buffer.from('{}')));
    expect(decoded.headers['x']?.value).toBe('ünïcødé');
  });
});
