// Builds the chat page (src/web) into static files under dist/web that the server ships and serves:
// one ES module entry with code splitting, so highlight.js languages load lazily as separate files.
// Usage: node scripts/build-web.mjs [--outdir DIR]. The page bench imports buildWeb() to build variants.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the page into `outdir`; `plugins` are extra esbuild plugins (the bench swaps the renderer).
 * Writes index.html, the hashed assets and manifest.json: the entry and, per output, its size and the
 * files it imports statically (lazily loaded languages are not among them).
 */
export async function buildWeb({ outdir = path.join(root, 'dist/web'), plugins = [], minify = true } = {}) {
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
    minify,
    sourcemap: 'linked',
    // Content-hashed names: the server can cache them forever, index.html is never cached.
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
    plugins,
  });

  const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint === 'src/web/main.ts');
  if (entry === undefined) throw new Error('esbuild produced no entry for src/web/main.ts');
  const appFile = path.basename(entry[0]);
  const cssFile = entry[1].cssBundle === undefined ? undefined : path.basename(entry[1].cssBundle);
  if (cssFile === undefined) throw new Error('src/web/main.ts must import its stylesheet (no CSS bundle was produced)');

  const relative = (file) => path.relative(outdir, path.join(root, file));
  const manifest = {
    app: `assets/${appFile}`,
    css: `assets/${cssFile}`,
    outputs: Object.fromEntries(
      Object.entries(result.metafile.outputs).map(([file, output]) => [
        relative(file),
        {
          bytes: output.bytes,
          imports: output.imports.filter((i) => i.kind === 'import-statement').map((i) => relative(i.path)),
        },
      ]),
    ),
  };
  await writeFile(path.join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2));

  // The chunks the entry imports statically are preloaded, so the browser fetches them alongside the entry
  // instead of a round trip later, once it has parsed the entry.
  const preloads = staticImportsOf(manifest, manifest.app)
    .map((file) => `<link rel="modulepreload" href="${file}" />`)
    .join('\n    ');
  const html = await readFile(path.join(root, 'src/web/index.html'), 'utf8');
  await writeFile(
    path.join(outdir, 'index.html'),
    html
      .replace('%APP_JS%', `assets/${appFile}`)
      .replace('%APP_CSS%', `assets/${cssFile}`)
      .replace('%APP_PRELOADS%', preloads),
  );
  await copyFile(path.join(root, 'src/web/favicon.svg'), path.join(outdir, 'favicon.svg'));
  return manifest;
}

/** Every file `file` imports statically, directly or through another, each once. */
function staticImportsOf(manifest, file, seen = new Set()) {
  for (const imported of manifest.outputs[file]?.imports ?? []) {
    if (seen.has(imported)) continue;
    seen.add(imported);
    staticImportsOf(manifest, imported, seen);
  }
  return [...seen];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--outdir');
  await buildWeb(outIndex >= 0 ? { outdir: path.resolve(args[outIndex + 1]) } : {});
}
