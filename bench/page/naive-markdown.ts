/**
 * Swapped in for src/web/markdown/index.ts in the bench's naive build of the page: the same page, with
 * the renderer most tutorials use (the whole answer re-parsed, re-sanitised and assigned with innerHTML
 * on every update, same libraries) in place of the block-wise one; timed per render like ours.
 */
import { NaiveRenderer } from '../../src/web/markdown/naive-renderer.js';
import { timed } from './timed-renderer.js';

export const StreamingMarkdown = timed(NaiveRenderer);
export { renderMarkdown } from '../../src/web/markdown/streaming-markdown.js';
