/**
 * The chat page's markdown: rendered block by block as it streams (complete blocks once, only the open
 * tail again), every block sanitised, code highlighted once its block is complete.
 */
export {
  StreamingMarkdown,
  renderMarkdown,
  type MarkdownRenderer,
  type StreamingMarkdownOptions,
  type StreamingMarkdownStats,
} from './streaming-markdown.js';
export { NaiveRenderer } from './naive-renderer.js';
export { BlockSplitter, type CompletedBlock, type SplitResult } from './block-splitter.js';
export { closeIncomplete } from './close-incomplete.js';
export { sanitizeHtml } from './sanitize.js';
