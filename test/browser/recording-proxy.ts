/**
 * A TCP proxy on loopback between the client and the server, for network faults the real server never
 * makes: it records each HTTP request head that passes (to prove what a reconnect sent), cuts every open
 * connection as a dropped network does, can point at another server, answer 502 as a proxy whose
 * upstream is down, refuse connections, or corrupt the server's bytes in transit.
 */
import net, { type AddressInfo, type Socket } from 'node:net';

export interface RequestHead {
  method: string;
  path: string;
  /** Header names lower-cased. */
  headers: Record<string, string>;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: RequestHead[];
  /** The server port new connections go to. */
  targetPort: number;
  /** The next this many connections get the proxy's own `502 Bad Gateway` page (an upstream outage). */
  badGateways: number;
  /** Rewrites the server's bytes to the client (latin1, same length keeps HTTP chunk framing intact). */
  rewrite: ((data: string) => string) | undefined;
  /** Destroys every open connection (both sides); new connections still work. Returns how many. */
  dropAll(): number;
  /** Stops accepting connections and drops the open ones: the server is gone for the client. */
  close(): Promise<void>;
}

export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const open = new Set<Socket>();
  const proxy: RecordingProxy = {
    url: '',
    requests: [],
    targetPort,
    badGateways: 0,
    rewrite: undefined,
    dropAll() {
      const count = open.size;
      for (const socket of open) socket.destroy();
      return count;
    },
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      proxy.dropAll();
      return closed;
    },
  };
  const server = net.createServer((client) => {
    if (proxy.badGateways > 0) {
      proxy.badGateways -= 1;
      client.on('error', () => undefined);
      client.once('data', (data: Buffer) => {
        new HeadReader((head) => proxy.requests.push(head)).feed(data);
        client.end(BAD_GATEWAY);
      });
      return;
    }
    const upstream = net.connect(proxy.targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
    const heads = new HeadReader((head) => proxy.requests.push(head));
    client.on('data', (data: Buffer) => {
      heads.feed(data);
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      const rewrite = proxy.rewrite;
      client.write(rewrite === undefined ? data : Buffer.from(rewrite(data.toString('latin1')), 'latin1'));
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (proxy as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

const BAD_GATEWAY = [
  'HTTP/1.1 502 Bad Gateway',
  'content-type: text/html',
  'content-length: 24',
  'connection: close',
  '',
  '<h1>502 Bad Gateway</h1>',
].join('\r\n');

/** Finds request heads in a client's byte stream (HTTP/1.1 keep-alive: several requests, bodies by content-length). */
class HeadReader {
  private buffered = '';
  private skip = 0;

  constructor(private readonly onHead: (head: RequestHead) => void) {}

  feed(data: Buffer): void {
    this.buffered += data.toString('latin1');
    for (;;) {
      if (this.skip > 0) {
        const skipped = Math.min(this.skip, this.buffered.length);
        this.buffered = this.buffered.slice(skipped);
        this.skip -= skipped;
        if (this.skip > 0) return;
      }
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine = '', ...lines] = this.buffered.slice(0, end).split('\r\n');
      this.buffered = this.buffered.slice(end + 4);
      const [method = '', path = ''] = requestLine.split(' ');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.skip = Number(headers['content-length'] ?? 0);
      this.onHead({ method, path, headers });
    }
  }
}
