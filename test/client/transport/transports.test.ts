/**
 * Both transports with the real SDK client: our own SDK client (StreamingHttpHandler, h2c) and a caller's
 * client over HTTP/2 (the SDK's default handler) and HTTP/1.1 (NodeHttpHandler), against a tiny local
 * server that writes frames encoded by @smithy/eventstream-codec.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ValidationException,
  type InvokeModelCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeChunkPayload, decodeJsonPayload } from '../../../src/client/event-stream/chunk-payload.js';
import { decodeEventStream } from '../../../src/client/event-stream/decoder.js';
import { UnexpectedResponseError } from '../../../src/client/event-stream/unexpected-response-error.js';
import { classifyError } from '../../../src/client/classify-error.js';
import { GivenClientTransport } from '../../../src/client/transport/given-client-transport.js';
import { createOwnSdkClient, OwnClientTransport } from '../../../src/client/transport/own-client-transport.js';
import type { BedrockTransport } from '../../../src/client/transport/transport.js';
import { AttemptWatchdog, DEFAULT_TIMEOUTS } from '../../../src/client/timeouts.js';
import { chunkFrame, concat, converseFrame } from '../event-stream/frames.js';

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
  if (operation === 'invoke') {
    writer.status(200, {
      'content-type': 'application/json',
      'x-amzn-requestid': 'req-unary',
      'x-amzn-bedrock-output-token-count': '7',
    });
    writer.end(JSON.stringify({ ok: true }));
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

const transports: { name: string; make: () => BedrockTransport }[] = [
  {
    name: 'our own SDK client (StreamingHttpHandler, h2c)',
    make: () => new OwnClientTransport(createOwnSdkClient({ endpoint: h2Url, region: 'us-east-1', credentials })),
  },
  {
    name: "a caller's client, HTTP/2 (default NodeHttp2Handler, h2c)",
    make: () =>
      new GivenClientTransport(new BedrockRuntimeClient({ endpoint: h2Url, region: 'us-east-1', credentials })),
  },
  {
    name: "a caller's client, HTTP/1.1 (NodeHttpHandler)",
    make: () =>
      new GivenClientTransport(
        new BedrockRuntimeClient({
          endpoint: h1Url,
          region: 'us-east-1',
          credentials,
          requestHandler: new NodeHttpHandler(),
        }),
      ),
  },
];

/** An attempt's cancellation, as the client gives it to a transport. */
function attempt(signal: AbortSignal = new AbortController().signal): AttemptWatchdog {
  return new AttemptWatchdog(signal, DEFAULT_TIMEOUTS);
}

/** An attempt whose signal counts the listeners added to and removed from it. */
function countedAttempt(): { abort: AttemptWatchdog; live: () => number } {
  const abort = attempt();
  const signal = abort.signal;
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
  return { abort, live: () => live };
}

describe.each(transports)('transport: $name', ({ make }) => {
  let transport: BedrockTransport;
  beforeAll(() => {
    transport = make();
  });
  afterAll(() => {
    transport.destroy();
    (transport as unknown as { sdk: BedrockRuntimeClient }).sdk.destroy();
  });

  it('reads the 2xx body raw: every chunk, the request id, frames split across reads', async () => {
    const response = await transport.openStream(invoke('anthropic.claude-x'), attempt());
    expect(response.requestId).toBe('req-anthropic.claude-x');
    const inner: unknown[] = [];
    for await (const message of decodeEventStream(response.body)) {
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
    const response = await transport.openStream(command, attempt());
    const events: [string | undefined, unknown][] = [];
    for await (const message of decodeEventStream(response.body)) {
      events.push([message.eventType, decodeJsonPayload(message.payload)]);
    }
    expect(events).toEqual([
      ['messageStart', { role: 'assistant', p: 'abc' }],
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'OK' } }],
    ]);
  });

  it('sends a unary command and keeps the response headers', async () => {
    const command = new InvokeModelCommand({ modelId: 'm.unary', body: JSON.stringify({ max_tokens: 5 }) });
    const { output, headers } = await transport.send<InvokeModelCommandOutput>(command, attempt());
    expect(JSON.parse(Buffer.from(output.body).toString('utf8'))).toEqual({ ok: true });
    expect(output.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'req-unary' });
    expect(headers?.['x-amzn-bedrock-output-token-count']).toBe('7');
  });

  it('lets the SDK throw its typed exception for a non-2xx response', async () => {
    const error = await transport.openStream(invoke('bad.model'), attempt()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toMatchObject({
      message: 'The provided model identifier is invalid.',
      $metadata: { httpStatusCode: 400, requestId: 'req-400' },
    });
  });

  it('rejects a 2xx body that is not an event stream, with what it said', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x';
    const error = await transport.openStream(invoke(arn), attempt()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ statusCode: 200, contentType: 'application/json', requestId: 'req-json' });
    const classified = classifyError(error, { modelId: arn, partialText: '', phase: 'request' });
    expect(classified).toMatchObject({ name: 'ValidationError', code: 'UnknownOperationException', retryable: false });
    expect(classified.message).toMatch(/unencoded "\/"/);
  });

  it('an already-aborted signal rejects with an AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await transport
      .openStream(invoke('anthropic.claude-x'), attempt(controller.signal))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
  });

  it('destroying the body closes the request', async () => {
    const before = closed.filter((id) => id === 'stall.model').length;
    const response = await transport.openStream(invoke('stall.model'), attempt());
    for await (const message of decodeEventStream(response.body)) {
      expect(message.eventType).toBe('chunk');
      break;
    }
    response.body.destroy();
    await waitFor(() => closed.filter((id) => id === 'stall.model').length > before);
  });

  it('leaves no abort listener on the signal once the stream is read', async () => {
    const { abort, live } = countedAttempt();
    const response = await transport.openStream(invoke('anthropic.claude-x'), abort);
    for await (const message of decodeEventStream(response.body)) expect(message.messageType).toBe('event');
    await waitFor(() => live() === 0);
  });
});
