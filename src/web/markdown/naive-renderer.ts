/**
 * The renderer most tutorials show, kept for the benchmark: on every update the WHOLE answer is parsed
 * again (`marked.parse`), sanitised again (the same DOMPurify configuration) and assigned with
 * innerHTML, and every code block is highlighted again (the same highlighting). Same interface as
 * StreamingMarkdown, so a benchmark can swap one for the other.
 */
import { highlightCodeIn } from './highlight.js';
import { markdownHtml } from './markdown-html.js';
import { sanitizeHtml } from './sanitize.js';
import type { MarkdownRenderer, StreamingMarkdownOptions } from './streaming-markdown.js';

export class NaiveRenderer implements MarkdownRenderer {
  private source = '';
  private pending: Promise<void>[] = [];
  private readonly highlight: boolean;
  readonly stats = { renders: 0 };

  constructor(
    private readonly root: HTMLElement,
    options: StreamingMarkdownOptions = {},
  ) {
    this.highlight = options.highlight ?? true;
  }

  get text(): string {
    return this.source;
  }

  append(delta: string): void {
    this.source += delta;
  }

  render(): void {
    this.root.innerHTML = sanitizeHtml(markdownHtml(this.source));
    this.stats.renders += 1;
    if (!this.highlight) return;
    const pending = highlightCodeIn(this.root);
    if (pending !== undefined) this.pending.push(pending);
  }

  finish(): void {
    this.render();
  }

  async settled(): Promise<void> {
    while (this.pending.length > 0) await Promise.all(this.pending.splice(0));
  }
}
