/**
 * The renderer most tutorials show, kept for the benchmark: on every update the whole answer is
 * parsed again, sanitised again and assigned with innerHTML (same libraries, same highlighting).
 */
import { highlightCodeIn } from './highlight.js';
import { markdown } from './markdown-html.js';
import type { MarkdownRenderer } from './streaming-markdown.js';
import { sanitizeHtml } from './sanitize.js';

export class NaiveRenderer implements MarkdownRenderer {
  private source = '';
  private pending: Promise<void> | undefined;

  constructor(private readonly root: HTMLElement) {}

  get text(): string {
    return this.source;
  }

  append(delta: string): void {
    this.source += delta;
  }

  render(): void {
    this.root.innerHTML = sanitizeHtml(markdown.parse(this.source, { async: false }));
    this.pending = highlightCodeIn(this.root);
  }

  finish(): void {
    this.render();
  }

  async settled(): Promise<void> {
    await this.pending;
  }
}
