/**
 * Swapped in for src/web/markdown/index.ts in the bench's plain-text build: the answer shown as it
 * arrives, as one growing text node (`white-space: pre-wrap`), no markdown. The least a page that shows
 * the whole answer can cost: what is left of a renderer's figure above this one is markdown's price.
 */
import type { MarkdownRenderer } from '../../src/web/markdown/index.js';
import { timed } from './timed-renderer.js';

class PlainText implements MarkdownRenderer {
  private source = '';
  private readonly node = document.createTextNode('');

  constructor(root: HTMLElement) {
    const block = document.createElement('div');
    block.style.whiteSpace = 'pre-wrap';
    block.append(this.node);
    root.append(block);
  }

  get text(): string {
    return this.source;
  }

  append(delta: string): void {
    this.source += delta;
  }

  render(): void {
    this.node.appendData(this.source.slice(this.node.length));
  }

  finish(): void {
    this.render();
  }

  settled(): Promise<void> {
    return Promise.resolve();
  }
}

export const StreamingMarkdown = timed(PlainText);

export async function renderMarkdown(text: string, root: HTMLElement): Promise<void> {
  root.textContent = text;
}
