/**
 * Paints streamed text on animation frames, at most about 20 times a second: deltas that arrive between
 * two updates are applied in one go (a burst of 50 chunks is one paint, not 50 reflows). Reading speed
 * does not need 60 updates a second (words arrive a few at a time, and 50 ms is below what a reader
 * notices as a wait), while every update costs the renderer, style, layout and paint of the growing
 * answer and the scroll that follows it, so a third of the updates costs about a third as much; on a
 * slow device, where an update itself takes
 * longer, the updates are spaced further (the painter's own work stays under a quarter of the time).
 * The first text is painted on the next frame, and `flush()` (end, stop, error) paints at once.
 *
 * With steady reveal on, text that arrived in large chunks is shown at an even pace instead of in jumps,
 * but never more than a few updates behind what arrived: each update shows at least a fixed share of the
 * backlog.
 */
export interface PaintTarget {
  /** Applies text that is now to be shown. */
  show(delta: string): void;
  /** Called once per update, after `show`. */
  painted(): void;
}

/** Fewest milliseconds between two updates while text streams: every third frame at 60 Hz. */
const MIN_INTERVAL_MS = 48;
/** Most milliseconds between two updates, however slow the device: the text must still look live. */
const MAX_INTERVAL_MS = 100;
/** An update may take at most this share of the time between updates (slow devices space them out). */
const MAX_BUSY_SHARE = 0.25;
/** A frame's timestamp may come this early and still count as due (frames are ~16.7 ms apart). */
const FRAME_SLACK_MS = 4;
/** Updates for the backlog to drain at most with steady reveal, whatever the chunk sizes. */
const MAX_LAG_UPDATES = 4;
/** Characters per second for a steady read when the backlog is small. */
const BASE_RATE = 600;

export class FramePainter {
  private backlog = '';
  private frame = 0;
  /** When the last update was painted (a frame timestamp), 0 when nothing streamed recently. */
  private lastUpdateAt = 0;
  private interval = MIN_INTERVAL_MS;

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
    this.lastUpdateAt = 0;
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
    if (this.lastUpdateAt !== 0 && now - this.lastUpdateAt < this.interval - FRAME_SLACK_MS) {
      // Not due yet: wait for a later frame (an empty frame callback costs next to nothing).
      this.frame = requestAnimationFrame(this.onFrame);
      return;
    }
    const take = this.smooth ? this.revealLength(now) : this.backlog.length;
    const delta = this.backlog.slice(0, take);
    this.backlog = this.backlog.slice(take);
    const started = performance.now();
    this.target.show(delta);
    this.target.painted();
    const took = performance.now() - started;
    this.interval = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, took / MAX_BUSY_SHARE));
    this.lastUpdateAt = now;
    if (this.backlog !== '') this.frame = requestAnimationFrame(this.onFrame);
  };

  private revealLength(now: number): number {
    const elapsed = this.lastUpdateAt === 0 ? 16 : Math.min(MAX_INTERVAL_MS, now - this.lastUpdateAt);
    const steady = Math.ceil((BASE_RATE * elapsed) / 1000);
    const catchUp = Math.ceil(this.backlog.length / MAX_LAG_UPDATES);
    let take = Math.min(this.backlog.length, Math.max(steady, catchUp));
    // Never split a surrogate pair: half an emoji would paint as a replacement character.
    const code = this.backlog.charCodeAt(take - 1);
    if (code >= 0xd800 && code <= 0xdbff && take < this.backlog.length) take += 1;
    return take;
  }
}
