/**
 * Paints streamed text on animation frames: deltas that arrive between two frames are applied in one
 * go (a burst of 50 chunks is one paint, not 50 reflows). With steady reveal on, text that arrived in
 * large chunks is shown at an even pace instead of in jumps, but never more than a few frames behind
 * what arrived: each frame shows at least a fixed share of the backlog.
 */
export interface PaintTarget {
  /** Applies text that is now to be shown. */
  show(delta: string): void;
  /** Called once per painted frame, after `show`. */
  painted(): void;
}

/** Frames for the backlog to drain at most (~100 ms at 60 Hz), whatever the chunk sizes. */
const MAX_LAG_FRAMES = 6;
/** Characters per second for a steady read when the backlog is small. */
const BASE_RATE = 600;

export class FramePainter {
  private backlog = '';
  private frame = 0;
  private lastFrameAt = 0;

  constructor(
    private readonly target: PaintTarget,
    private smooth: boolean,
  ) {}

  setSmooth(smooth: boolean): void {
    this.smooth = smooth;
  }

  push(delta: string): void {
    this.backlog += delta;
    if (this.frame === 0) this.frame = requestAnimationFrame(this.onFrame);
  }

  /** Shows everything at once (end of stream, stop, error): nothing arrived is ever held back. */
  flush(): void {
    if (this.frame !== 0) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.lastFrameAt = 0;
    if (this.backlog === '') return;
    const all = this.backlog;
    this.backlog = '';
    this.target.show(all);
    this.target.painted();
  }

  get pending(): number {
    return this.backlog.length;
  }

  private readonly onFrame = (now: number): void => {
    this.frame = 0;
    const take = this.smooth ? this.revealLength(now) : this.backlog.length;
    const delta = this.backlog.slice(0, take);
    this.backlog = this.backlog.slice(take);
    this.target.show(delta);
    this.target.painted();
    if (this.backlog !== '') this.frame = requestAnimationFrame(this.onFrame);
    else this.lastFrameAt = 0;
  };

  private revealLength(now: number): number {
    const elapsed = this.lastFrameAt === 0 ? 16 : Math.min(100, now - this.lastFrameAt);
    this.lastFrameAt = now;
    const steady = Math.ceil((BASE_RATE * elapsed) / 1000);
    const catchUp = Math.ceil(this.backlog.length / MAX_LAG_FRAMES);
    let take = Math.min(this.backlog.length, Math.max(steady, catchUp));
    // Never split a surrogate pair: half an emoji would paint as a replacement character.
    const code = this.backlog.charCodeAt(take - 1);
    if (code >= 0xd800 && code <= 0xdbff && take < this.backlog.length) take += 1;
    return take;
  }
}
