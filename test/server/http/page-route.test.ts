/**
 * The server's page routes over real HTTP: files from the built folder with the page's security
 * headers, gzip when asked, immutable caching for hashed assets, a clear 503 when the page is not
 * built, and nothing outside the folder ever served.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressMiddleware } from '../../../src/server/index.js';
import { clientFor, startHarness, type Harness } from './server-harness.js';

const dir = mkdtempSync(path.join(tmpdir(), 'page-route-'));
const INDEX = '<!doctype html><title>t</title><script type="module" src="/assets/app-abc.js"></script>';
const APP = `console.log(${JSON.stringify('x'.repeat(4000))});`;
mkdirSync(path.join(dir, 'assets'));
writeFileSync(path.join(dir, 'index.html'), INDEX);
writeFileSync(path.join(dir, 'assets/app-abc.js'), APP);
writeFileSync(path.join(dir, 'secret.env'), 'not served: unknown type');

let page: Harness;
let unbuilt: Harness;
let off: Harness;
beforeAll(async () => {
  page = await startHarness({ page: { dir } });
  unbuilt = await startHarness({ page: { dir: path.join(dir, 'assets') } });
  off = await startHarness();
});
afterAll(async () => {
  await Promise.all([page?.close(), unbuilt?.close(), off?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(base: string, pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path: pathname, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the page routes', () => {
  it('serves index.html at / with the page security headers and no caching', async () => {
    const response = await fetch(page.url + '/');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(INDEX);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'.*img-src 'self' data:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets gzipped when asked, cached forever', async () => {
    const zipped = await new Promise<{ encoding: string | undefined; body: Buffer; cache: string | undefined }>(
      (resolve, reject) => {
        const { hostname, port } = new URL(page.url);
        const req = request(
          { hostname, port, path: '/assets/app-abc.js', headers: { 'accept-encoding': 'gzip, br' } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({
                encoding: res.headers['content-encoding'],
                body: Buffer.concat(chunks),
                cache: res.headers['cache-control'],
              }),
            );
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    expect(zipped.encoding).toBe('gzip');
    expect(gunzipSync(zipped.body).toString()).toBe(APP);
    expect(zipped.cache).toContain('immutable');
    const plain = await rawGet(page.url, '/assets/app-abc.js');
    expect(plain.body).toBe(APP);
  });

  it('answers 404 for anything not in the built page, including path tricks', async () => {
    for (const pathname of [
      '/assets/missing.js',
      '/assets/../index.html',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%00.js',
      '/secret.env',
      '/assets/%E0%A4%A',
    ]) {
      const response = await rawGet(page.url, pathname);
      expect(response.status, pathname).toBe(404);
      expect(JSON.parse(response.body).error.type).toBe('not_found');
    }
    // The API is still there beside the page.
    expect((await fetch(page.url + '/healthz')).status).toBe(200);
  });

  it('says how to build the page when it is not built', async () => {
    const response = await fetch(unbuilt.url + '/');
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { type: string; fix: string } };
    expect(body.error.type).toBe('page_not_built');
    expect(body.error.fix).toContain('npm run build');
  });

  it('serves no page unless asked (the handler and middleware default)', async () => {
    const response = await fetch(off.url + '/');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('not_found');
  });
});

describe('the page mounted under a path in Express', () => {
  it('serves the page, its assets and the API beside it under the mount path', async () => {
    const client = clientFor(page.emu);
    const app = express();
    app.use('/ai', expressMiddleware({ page: { dir }, client, logger: false }));
    app.get('/', (_req, res) => void res.send('the app'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/ai/`)).text()).toBe(INDEX);
      expect(await (await fetch(`${base}/ai/assets/app-abc.js`)).text()).toBe(APP);
      expect((await fetch(`${base}/ai/api/models`)).status).toBe(200);
      expect(await (await fetch(`${base}/`)).text()).toBe('the app');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      client.destroy();
    }
  });
});
