/**
 * Runs inside the bench builds of the page (bundled by esbuild, never by Node): wraps a renderer so each
 * `render()` and `finish()` call records its start and duration into the probe (bench/page/page-probe.ts).
 * That is the renderer's own JavaScript per frame, without the style, layout and paint that follow it
 * and without the page's scrolling, which the probe measures separately.
 */
import type { MarkdownRenderer } from '../../src/web/markdown/index.js';

interface RenderProbe {
  renders: [start: number, duration: number][];
  finishes: [start: number, duration: number][];
}

// A mixin's base must take `...args: any[]` (TypeScript's rule); the page constructs it with its root element.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RendererClass = new (...args: any[]) => MarkdownRenderer;

function probe(): RenderProbe | undefined {
  return (globalThis as { __probe?: RenderProbe }).__probe;
}

export function timed<T extends RendererClass>(Base: T): T {
  return class Timed extends Base {
    override render(): void {
      const start = performance.now();
      super.render();
      probe()?.renders.push([start, performance.now() - start]);
    }

    override finish(): void {
      const start = performance.now();
      super.finish();
      probe()?.finishes.push([start, performance.now() - start]);
    }
  };
}
