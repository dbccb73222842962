/**
 * The chat page's static files (built by scripts/build-web.mjs into dist/web), read once into memory
 * with a gzip copy of each, so serving a file is a map lookup. The page ships in the package; nothing
 * comes from a CDN.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface PageAsset {
  body: Buffer;
  gzip: Buffer | undefined;
  contentType: string;
  /** Content-hashed files under assets/ never change; index.html must be revalidated. */
  immutable: boolean;
}

export interface PageAssets {
  /** Where the files were read from. */
  readonly dir: string;
  /** Undefined when the page is not built (the server then says how to build it). */
  get(urlPath: string): PageAsset | undefined;
  readonly built: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * dist/web beside this package. This file is src/server/page/ in development and dist/server/page/
 * when built: both are three levels below the package root.
 */
export function defaultPageDir(): string {
  return fileURLToPath(new URL('../../../dist/web/', import.meta.url));
}

export function loadPageAssets(dir: string = defaultPageDir()): PageAssets {
  const files = new Map<string, PageAsset>();
  if (existsSync(path.join(dir, 'index.html'))) {
    for (const file of listFiles(dir)) {
      const relative = '/' + path.relative(dir, file).split(path.sep).join('/');
      const contentType = CONTENT_TYPES[path.extname(file)];
      if (contentType === undefined) continue;
      const body = readFileSync(file);
      const compressible =
        contentType.startsWith('text/') || contentType.startsWith('application/json') || file.endsWith('.svg');
      files.set(relative, {
        body,
        gzip: compressible && body.length > 512 ? gzipSync(body) : undefined,
        contentType,
        immutable: relative.startsWith('/assets/'),
      });
    }
  }
  return {
    dir,
    built: files.has('/index.html'),
    get: (urlPath) => files.get(urlPath === '/' ? '/index.html' : urlPath),
  };
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}
