/**
 * Opens one HTTP/2 session to an origin: h2c for http://, TLS with ALPN h2 for https:// (with the
 * caller's TLS options: a private CA, a client certificate), directly or through an HTTP proxy's CONNECT
 * tunnel. Kept apart from the pool so the pool only decides when a session is opened, never how.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface SessionConnectOptions {
  /** TLS options for https:// endpoints (`ca`, `cert`, `key`, `rejectUnauthorized`, ...). */
  tls?: tls.ConnectionOptions | undefined;
  /** An http:// proxy URL to tunnel https:// endpoints through (CONNECT); `true`: HTTPS_PROXY. */
  proxy?: string | true | undefined;
}

export function connectSession(origin: string, options: SessionConnectOptions): http2.ClientHttp2Session {
  const url = new URL(origin);
  const secure = url.protocol === 'https:';
  const tlsOptions: tls.ConnectionOptions = { ...options.tls, ALPNProtocols: ['h2'], servername: url.hostname };
  const proxy = secure ? proxyFor(url.hostname, options.proxy) : undefined;
  if (proxy === undefined) return secure ? http2.connect(origin, tlsOptions) : http2.connect(origin);
  // http2 takes its socket synchronously: a TLS socket over a tunnel that carries bytes once it is up.
  return http2.connect(origin, { createConnection: () => tunnelledTls(proxy, url, tlsOptions) });
}

/** The proxy for `hostname`: the one given, or with `true` HTTPS_PROXY unless NO_PROXY names the host. */
export function proxyFor(hostname: string, proxy: string | true | undefined): string | undefined {
  if (proxy !== true) return proxy;
  const fromEnvironment = process.env.HTTPS_PROXY ?? process.env.https_proxy;
  if (fromEnvironment === undefined || fromEnvironment === '') return undefined;
  const noProxy = (process.env.NO_PROXY ?? process.env.no_proxy ?? '').split(',').map((entry) => entry.trim());
  const excluded = noProxy.some(
    (entry) =>
      entry === '*' ||
      (entry !== '' && (hostname === entry.replace(/^\./, '') || hostname.endsWith(`.${entry.replace(/^\./, '')}`))),
  );
  return excluded ? undefined : fromEnvironment;
}

/** A TLS socket over a CONNECT tunnel; a refused or failed tunnel surfaces as the socket's error. */
function tunnelledTls(proxy: string, target: URL, tlsOptions: tls.ConnectionOptions): Duplex {
  const proxyUrl = new URL(proxy);
  const port = target.port === '' ? 443 : Number(target.port);
  const authority = `${target.hostname}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxyUrl.username !== '') {
    const credentials = `${decodeURIComponent(proxyUrl.username)}:${decodeURIComponent(proxyUrl.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const tunnel = new TunnelSocket();
  const connect = http.request({
    host: proxyUrl.hostname,
    port: proxyUrl.port === '' ? 80 : Number(proxyUrl.port),
    method: 'CONNECT',
    path: authority,
    headers,
  });
  connect.once('connect', (response, raw) => {
    if (response.statusCode === 200) tunnel.attach(raw);
    else {
      raw.destroy();
      const refused = new Error(`The proxy ${proxyUrl.host} refused the tunnel (HTTP ${response.statusCode}).`);
      tunnel.destroy(Object.assign(refused, { code: 'ECONNREFUSED' }));
    }
  });
  connect.once('error', (error) => tunnel.destroy(error));
  connect.end();
  return tls.connect({ ...tlsOptions, socket: tunnel });
}

/** A duplex that exists at once and carries bytes once the tunnel's socket is there (writes wait for it). */
class TunnelSocket extends Duplex {
  #raw: Socket | undefined;
  #pending: (() => void) | undefined;

  attach(raw: Socket): void {
    this.#raw = raw;
    raw.on('data', (data: Buffer) => {
      if (!this.push(data)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (error) => this.destroy(error));
    raw.on('close', () => this.destroy());
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.();
  }

  override _read(): void {
    this.#raw?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const raw = this.#raw;
    if (raw !== undefined) raw.write(chunk, callback);
    else this.#pending = () => this.#raw!.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#raw?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#raw?.destroy();
    callback(error);
  }
}
