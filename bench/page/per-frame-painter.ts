/**
 * Swapped in for src/web/app/frame-painter.ts in the bench's naive build of the page: the answer updated
 * once per animation frame with everything that arrived since the last one, never spaced further apart.
 * That is the tutorials' best case (most update on every chunk, which is slower still) and the reference
 * the page's targets compare against, as in earlier runs of this bench: the naive renderer (the whole
 * answer re-parsed, re-sanitised and assigned with innerHTML) at up to 60 updates a second.
 */
import type { PaintTarget } from '../../src/web/app/frame-painter.js';

export class FramePainter {
  private backlog = '';
  private frame = 0;

  constructor(
    private readonly target: PaintTarget,
    _smooth: boolean,
  ) {}

  setSmooth(_smooth: boolean): void {}

  push(delta: string): void {
    this.backlog += delta;
    if (this.frame === 0) this.frame = requestAnimationFrame(this.onFrame);
  }

  flush(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (this.backlog !== '') this.onFrame();
  }

  get pending(): number {
    return this.backlog.length;
  }

  private readonly onFrame = (): void => {
    this.frame = 0;
    const delta = this.backlog;
    this.backlog = '';
    this.target.show(delta);
    this.target.painted();
  };
}
