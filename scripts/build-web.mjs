// Builds the chat page (src/web) into static files under dist/web that the server ships and serves:
// one ES module entry with code splitting, so highlight.js languages load lazily as separate files.
// Usage: node scripts/build-web.mjs [--outdir DIR] [--metafile]
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--outdir');
const outdir = outIndex >= 0 ? path.resolve(args[outIndex + 1]) : path.join(root, 'dist/web');

await rm(outdir, { recursive: true, force: true });
await mkdir(path.join(outdir, 'assets'), { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/web/main.ts' },
  outdir: path.join(outdir, 'assets'),
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: 'linked',
  // Content-hashed names: the server can cache them forever, index.html is never cached.
  entryNames: '[name]-[hash]',
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint === 'src/web/main.ts');
if (entry === undefined) throw new Error('esbuild produced no entry for src/web/main.ts');
const appFile = path.basename(entry[0]);
const cssFile = entry[1].cssBundle === undefined ? undefined : path.basename(entry[1].cssBundle);
if (cssFile === undefined) throw new Error('src/web/main.ts must import its stylesheet (no CSS bundle was produced)');

const html = await readFile(path.join(root, 'src/web/index.html'), 'utf8');
await writeFile(
  path.join(outdir, 'index.html'),
  html.replace('%APP_JS%', `assets/${appFile}`).replace('%APP_CSS%', `assets/${cssFile}`),
);
await copyFile(path.join(root, 'src/web/favicon.svg'), path.join(outdir, 'favicon.svg'));
// Which file is the entry and what each output weighs: read by the server tests and the page bench.
await writeFile(
  path.join(outdir, 'manifest.json'),
  JSON.stringify(
    {
      app: appFile,
      css: cssFile,
      outputs: Object.fromEntries(
        Object.entries(result.metafile.outputs).map(([file, output]) => [
          path.relative(outdir, path.join(root, file)),
          { bytes: output.bytes, imports: output.imports.map((i) => path.relative(outdir, path.join(root, i.path))) },
        ]),
      ),
    },
    null,
    2,
  ),
);
if (args.includes('--metafile')) await writeFile(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
