/**
 * Swapped in for src/web/markdown/index.ts in the bench's build of the page with its own renderer: the
 * same block-wise StreamingMarkdown, timed per render (bench/page/timed-renderer.ts).
 */
import { StreamingMarkdown as BlockWise } from '../../src/web/markdown/streaming-markdown.js';
import { timed } from './timed-renderer.js';

export const StreamingMarkdown = timed(BlockWise);
export { renderMarkdown } from '../../src/web/markdown/streaming-markdown.js';
