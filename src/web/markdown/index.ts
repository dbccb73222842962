/** The chat page's markdown: streamed block by block, sanitised, highlighted once per finished block. */
export {
  StreamingMarkdown,
  renderMarkdown,
  type MarkdownRenderer,
  type StreamingMarkdownOptions,
} from './streaming-markdown.js';
export { NaiveRenderer } from './naive-renderer.js';
export { closeIncomplete } from './close-incomplete.js';
export { sanitizeHtml } from './sanitize.js';
