/**
 * Swapped in for src/web/markdown/index.ts in the bench's "naive, batched" build: the naive renderer (the
 * whole answer re-parsed, re-sanitised and assigned with innerHTML on every update) behind the page's own
 * FramePainter, to show what batching alone does for it; timed per render like ours.
 */
import { NaiveRenderer } from '../../src/web/markdown/naive-renderer.js';
import { timed } from './timed-renderer.js';

export const StreamingMarkdown = timed(NaiveRenderer);
export { renderMarkdown } from '../../src/web/markdown/streaming-markdown.js';
