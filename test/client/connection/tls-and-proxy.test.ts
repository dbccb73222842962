/**
 * The library's own client over TLS with ALPN h2 to a server whose certificate a test CA issued: trusted
 * through `connection.tls.ca`, refused (clearly, not retried) without it; and through an HTTP proxy's
 * CONNECT tunnel, given as a URL or taken from HTTPS_PROXY with `proxy: true`.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BedrockStreamingClient } from '../../../src/client/bedrock-streaming-client.js';
import type { ConnectionOptions } from '../../../src/client/types.js';
import { proxyFor } from '../../../src/client/transport/session-connector.js';
import { ConnectionError, RetryError } from '../../../src/errors.js';
import { CLAUDE, rejection, TEST_CREDENTIALS } from '../emulator-harness.js';
import { startH2TestServer, type H2TestServer } from './h2-test-server.js';
import { createTestCertificates, type TestCertificates } from './test-ca.js';

let certificates: TestCertificates;
let server: H2TestServer;
let proxy: { url: string; tunnels: string[]; close(): Promise<void> };
const savedProxy = process.env.HTTPS_PROXY;

beforeAll(async () => {
  certificates = await createTestCertificates();
  server = await startH2TestServer({ tls: { key: certificates.key, cert: certificates.cert } });
  proxy = await startConnectProxy();
});

afterAll(async () => {
  await server.close();
  await proxy.close();
});

afterEach(() => {
  if (savedProxy === undefined) delete process.env.HTTPS_PROXY;
  else process.env.HTTPS_PROXY = savedProxy;
});

async function answer(connection: ConnectionOptions) {
  const client = new BedrockStreamingClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    modelId: CLAUDE,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    connection,
  });
  try {
    return await client.invokeStream({ prompt: 'Hello', maxTokens: 5 }).finalResult();
  } finally {
    client.destroy();
  }
}

describe('TLS with a private CA', () => {
  it('answers over h2 when the CA is given', async () => {
    expect((await answer({ tls: { ca: certificates.ca } })).text).toBe('Hello there');
  });

  it('refuses an untrusted certificate with a ConnectionError that is not retried', async () => {
    const error = await rejection(answer({}));
    expect(error).not.toBeInstanceOf(RetryError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).retryable).toBe(false);
    expect((error as ConnectionError).message).toContain('connection.tls.ca');
  });
});

describe('an HTTP proxy (CONNECT)', () => {
  it('tunnels through the proxy given as a URL', async () => {
    const before = proxy.tunnels.length;
    expect((await answer({ tls: { ca: certificates.ca }, proxy: proxy.url })).text).toBe('Hello there');
    expect(proxy.tunnels.slice(before)).toEqual([`127.0.0.1:${server.port}`]);
  });

  it('with proxy: true takes HTTPS_PROXY; without it, no proxy is used', async () => {
    process.env.HTTPS_PROXY = proxy.url;
    const before = proxy.tunnels.length;
    await answer({ tls: { ca: certificates.ca }, proxy: true });
    expect(proxy.tunnels.length - before).toBe(1);
    await answer({ tls: { ca: certificates.ca } });
    expect(proxy.tunnels.length - before).toBe(1);
  });
});

describe('proxyFor', () => {
  const saved = { noProxy: process.env.NO_PROXY };
  afterEach(() => {
    if (saved.noProxy === undefined) delete process.env.NO_PROXY;
    else process.env.NO_PROXY = saved.noProxy;
  });

  it('takes HTTPS_PROXY only with `true`, and honours NO_PROXY by host and domain', () => {
    process.env.HTTPS_PROXY = 'http://proxy.internal:3128';
    process.env.NO_PROXY = 'localhost,.amazonaws.com';
    expect(proxyFor('bedrock-runtime.us-east-1.amazonaws.com', true)).toBeUndefined();
    expect(proxyFor('vpce-123.example.com', true)).toBe('http://proxy.internal:3128');
    expect(proxyFor('vpce-123.example.com', undefined)).toBeUndefined();
    expect(proxyFor('vpce-123.example.com', 'http://other:8080')).toBe('http://other:8080');
  });
});

/** A minimal CONNECT proxy that records each tunnel's target. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxyServer = http.createServer((_req, res) => res.writeHead(405).end());
  proxyServer.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host, port] = target.split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
  const { port } = proxyServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => proxyServer.close(() => resolve()));
    },
  };
}
