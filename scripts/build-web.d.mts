// Types for scripts/build-web.mjs, imported by the page bench.
import type { Plugin } from 'esbuild';

export interface WebManifest {
  app: string;
  css: string;
  outputs: Record<string, { bytes: number; imports: string[] }>;
}

export function buildWeb(options?: { outdir?: string; plugins?: Plugin[]; minify?: boolean }): Promise<WebManifest>;
