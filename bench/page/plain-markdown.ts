/**
 * Swapped in for src/web/markdown/index.ts in the bench's baseline build: no markdown and a DOM that does
 * not grow (only the answer's last line is shown). What the page costs without a renderer (network, SSE
 * parsing, the browser client, the painter, scrolling, the probe); subtracted from the other builds to
 * isolate what each renderer costs.
 */
import type { MarkdownRenderer } from '../../src/web/markdown/index.js';
import { timed } from './timed-renderer.js';

class LastLine implements MarkdownRenderer {
  private source = '';
  private readonly line = document.createElement('p');

  constructor(root: HTMLElement) {
    root.append(this.line);
  }

  get text(): string {
    return this.source;
  }

  append(delta: string): void {
    this.source += delta;
  }

  render(): void {
    this.line.textContent = this.source.slice(this.source.lastIndexOf('\n') + 1).slice(-200);
  }

  finish(): void {
    this.render();
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }
}

export const StreamingMarkdown = timed(LastLine);

export async function renderMarkdown(text: string, root: HTMLElement): Promise<void> {
  root.textContent = text.slice(-200);
}
