/**
 * StreamingHttpHandler against a real local HTTP/2 server, through our own SDK client: requests share a
 * pooled session, a session that goes away is replaced, an abort before the response resets the HTTP/2
 * stream, and a plain `send(command, { abortSignal })` on the client works like the SDK's own handler.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOwnSdkClient } from '../../../src/client/transport/own-client-transport.js';

let server: http2.Http2Server;
let url = '';
const sessions = new Set<http2.ServerHttp2Session>();
const openedPaths: string[] = [];
const closedStreams: { path: string; rstCode: number }[] = [];
let goAwayAfterResponse = false;
let holdResponses = false;

beforeAll(async () => {
  server = http2.createServer();
  server.on('session', (session) => sessions.add(session));
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    openedPaths.push(path);
    stream.on('close', () => closedStreams.push({ path, rstCode: stream.rstCode }));
    stream.resume();
    stream.on('end', () => {
      if (holdResponses) return;
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-amzn-requestid': 'req' });
      stream.end('{"ok":true}');
      if (goAwayAfterResponse) stream.session?.goaway();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  goAwayAfterResponse = false;
  holdResponses = false;
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const invoke = (n: number) =>
  new InvokeModelCommand({ modelId: `m.${n}`, body: '{}', contentType: 'application/json' });

async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('StreamingHttpHandler', () => {
  it('runs concurrent requests as streams of one pooled session', async () => {
    const client = createOwnSdkClient({ endpoint: url, region: 'us-east-1', credentials });
    const before = sessions.size;
    try {
      const outputs = await Promise.all([1, 2, 3, 4, 5].map((n) => client.send(invoke(n))));
      expect(outputs.map((output) => output.$metadata.httpStatusCode)).toEqual([200, 200, 200, 200, 200]);
      await client.send(invoke(6));
    } finally {
      client.destroy();
    }
    expect(sessions.size - before).toBe(1);
  });

  it('replaces a session the server sends GOAWAY on', async () => {
    const client = createOwnSdkClient({ endpoint: url, region: 'us-east-1', credentials });
    const before = sessions.size;
    goAwayAfterResponse = true;
    try {
      for (let n = 0; n < 3; n++) expect((await client.send(invoke(n))).$metadata.httpStatusCode).toBe(200);
    } finally {
      client.destroy();
    }
    expect(sessions.size - before).toBe(3);
  });

  it('an abort before the response rejects with AbortError and resets the HTTP/2 stream', async () => {
    const client = createOwnSdkClient({ endpoint: url, region: 'us-east-1', credentials });
    holdResponses = true;
    const controller = new AbortController();
    try {
      const sent = client.send(invoke(41), { abortSignal: controller.signal });
      // Abort once the request reached the server and waits there for its response.
      await waitFor(() => openedPaths.some((path) => path.includes('m.41')));
      controller.abort();
      await expect(sent).rejects.toMatchObject({ name: 'AbortError' });
      await waitFor(() => closedStreams.some((stream) => stream.path.includes('m.41')));
      const closed = closedStreams.find((stream) => stream.path.includes('m.41'))!;
      expect(closed.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);
    } finally {
      client.destroy();
    }
  });

  it('a plain send with an abortSignal works as with the SDK handler, and an aborted signal never sends', async () => {
    const client = createOwnSdkClient({ endpoint: url, region: 'us-east-1', credentials });
    try {
      const output = await client.send(invoke(51), { abortSignal: new AbortController().signal });
      expect(JSON.parse(Buffer.from(output.body).toString('utf8'))).toEqual({ ok: true });
      const aborted = new AbortController();
      aborted.abort();
      await expect(client.send(invoke(52), { abortSignal: aborted.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
    } finally {
      client.destroy();
    }
    expect(closedStreams.some((stream) => stream.path.includes('m.52'))).toBe(false);
  });
});
