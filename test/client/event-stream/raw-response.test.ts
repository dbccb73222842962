/**
 * sendEventStreamCommand over real HTTP/2 (h2c, the SDK's default handler) and HTTP/1.1 (NodeHttpHandler)
 * with the real SDK client, against a tiny local server that writes frames encoded by @smithy/eventstream-codec.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChunkPayload, decodeJsonPayload } from '../../../src/client/event-stream/chunk-payload.js';
import { sendEventStreamCommand } from '../../../src/client/event-stream/raw-response.js';
import { UnexpectedResponseError } from '../../../src/client/event-stream/unexpected-response-error.js';
import { classifyError } from '../../../src/client/classify-error.js';
import { chunkFrame, concat, converseFrame } from './frames.js';

interface Writer {
  status(code: number, headers: Record<string, string>): void;
  write(bytes: Uint8Array): void;
  end(bytes?: string): void;
  onClose(listener: () => void): void;
}

const closed: string[] = [];

const firstFrame = chunkFrame({ type: 'message_start', message: { usage: { input_tokens: 3 } } });
const invokeFrames = concat([
  firstFrame,
  chunkFrame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }),
  chunkFrame({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 3 } }),
]);

/** Routes by the operation and the model id in the path. */
function handle(path: string, writer: Writer): void {
  const [, , encodedId, operation] = path.split('/');
  const modelId = decodeURIComponent(encodedId ?? '');
  writer.onClose(() => closed.push(modelId));
  if (modelId === 'bad.model') {
    writer.status(400, {
      'content-type': 'application/json',
      'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      'x-amzn-requestid': 'req-400',
    });
    writer.end(JSON.stringify({ message: 'The provided model identifier is invalid.' }));
    return;
  }
  if (modelId.startsWith('arn:')) {
    // What real Bedrock answers when an ARN's "/" reached it unencoded (bedrock-wire.md §1.5).
    writer.status(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-json' });
    writer.end(
      JSON.stringify({ Output: { __type: 'com.amazon.coral.service#UnknownOperationException' }, Version: '1.0' }),
    );
    return;
  }
  writer.status(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': `req-${modelId}` });
  if (operation === 'converse-stream') {
    writer.write(converseFrame('messageStart', { role: 'assistant', p: 'abc' }));
    writer.write(converseFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'OK' } }));
    writer.end();
    return;
  }
  if (modelId === 'stall.model') {
    writer.write(invokeFrames.subarray(0, firstFrame.length + 10)); // a frame and a bit, then silence
    return;
  }
  // Odd-sized writes so frames straddle reads.
  for (let i = 0; i < invokeFrames.length; i += 37) writer.write(invokeFrames.subarray(i, i + 37));
  writer.end();
}

let h2: http2.Http2Server;
let h1: http.Server;
let h2Url = '';
let h1Url = '';

beforeAll(async () => {
  h2 = http2.createServer();
  h2.on('stream', (stream, headers) => {
    stream.resume();
    handle(String(headers[':path']), {
      status: (code, extra) => stream.respond({ ':status': code, ...extra }),
      write: (bytes) => stream.write(bytes),
      end: (text) => stream.end(text),
      onClose: (listener) => stream.on('close', listener),
    });
  });
  h1 = http.createServer((req, res) => {
    req.resume();
    handle(req.url ?? '', {
      status: (code, extra) => res.writeHead(code, extra),
      write: (bytes) => res.write(bytes),
      end: (text) => res.end(text),
      onClose: (listener) => res.on('close', listener),
    });
  });
  await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => h1.listen(0, '127.0.0.1', resolve));
  h2Url = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  h1Url = `http://127.0.0.1:${(h1.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => h2.close(resolve));
  h1.closeAllConnections();
  await new Promise((resolve) => h1.close(resolve));
});

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

function invoke(modelId: string): InvokeModelWithResponseStreamCommand {
  return new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify({ max_tokens: 5 }) });
}

async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const handlers = [
  { name: 'HTTP/2 (default NodeHttp2Handler, h2c)', url: () => h2Url, make: () => undefined },
  { name: 'HTTP/1.1 (NodeHttpHandler)', url: () => h1Url, make: () => new NodeHttpHandler() },
];

describe.each(handlers)('sendEventStreamCommand over $name', ({ url, make }) => {
  const client = (): BedrockRuntimeClient => {
    const requestHandler = make();
    return new BedrockRuntimeClient({
      endpoint: url(),
      region: 'us-east-1',
      credentials,
      ...(requestHandler ? { requestHandler } : {}),
    });
  };

  it('reads the 2xx body raw: every chunk, the request id, frames split across reads', async () => {
    const response = await sendEventStreamCommand(client(), invoke('anthropic.claude-x'), new AbortController().signal);
    expect(response.requestId).toBe('req-anthropic.claude-x');
    const inner: unknown[] = [];
    for await (const message of response.messages) {
      expect(message.eventType).toBe('chunk');
      inner.push(decodeChunkPayload(message.payload));
    }
    expect(inner).toEqual([
      { type: 'message_start', message: { usage: { input_tokens: 3 } } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
      { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 3 } },
    ]);
  });

  it('reads a ConverseStream body', async () => {
    const command = new ConverseStreamCommand({ modelId: 'm.conv', messages: [{ role: 'user', content: [] }] });
    const response = await sendEventStreamCommand(client(), command, new AbortController().signal);
    const events: [string | undefined, unknown][] = [];
    for await (const message of response.messages) events.push([message.eventType, decodeJsonPayload(message.payload)]);
    expect(events).toEqual([
      ['messageStart', { role: 'assistant', p: 'abc' }],
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'OK' } }],
    ]);
  });

  it('lets the SDK throw its typed exception for a non-2xx response', async () => {
    const error = await sendEventStreamCommand(client(), invoke('bad.model'), new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toMatchObject({
      message: 'The provided model identifier is invalid.',
      $metadata: { httpStatusCode: 400, requestId: 'req-400' },
    });
  });

  it('rejects a 2xx body that is not an event stream, with what it said', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x';
    const error = await sendEventStreamCommand(client(), invoke(arn), new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ statusCode: 200, contentType: 'application/json', requestId: 'req-json' });
    const classified = classifyError(error, { modelId: arn, partialText: '', phase: 'request' });
    expect(classified).toMatchObject({ name: 'ValidationError', code: 'UnknownOperationException', retryable: false });
    expect(classified.message).toMatch(/unencoded "\/"/);
  });

  it('aborting while iterating destroys the body and closes the request', async () => {
    const controller = new AbortController();
    const before = closed.filter((id) => id === 'stall.model').length;
    const response = await sendEventStreamCommand(client(), invoke('stall.model'), controller.signal);
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const message of response.messages) {
        seen.push(decodeChunkPayload(message.payload));
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(error).toMatchObject({ name: 'AbortError' });
    await waitFor(() => closed.filter((id) => id === 'stall.model').length > before);
  });

  it('breaking out of the loop closes the request', async () => {
    const before = closed.filter((id) => id === 'stall.model').length;
    const response = await sendEventStreamCommand(client(), invoke('stall.model'), new AbortController().signal);
    for await (const message of response.messages) {
      expect(message.eventType).toBe('chunk');
      break;
    }
    await waitFor(() => closed.filter((id) => id === 'stall.model').length > before);
  });

  it('leaves no abort listener on the caller signal once the stream is read', async () => {
    const signal = new AbortController().signal;
    let live = 0;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      live++;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      live--;
      remove(...args);
    }) as typeof remove;
    const response = await sendEventStreamCommand(client(), invoke('anthropic.claude-x'), signal);
    for await (const message of response.messages) expect(message.messageType).toBe('event');
    await waitFor(() => live === 0);
  });
});
