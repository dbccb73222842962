/**
 * Auto-scroll that follows new text only while the reader is at the bottom. Scrolling up is detected
 * from the reader's own input (wheel, touch, keys, the scrollbar) rather than from the scroll position,
 * which the growing answer moves by itself; returning to the bottom resumes following. A "jump to
 * latest" button shows while the reader is away from the bottom.
 */
const AT_BOTTOM_PX = 32;

export class StickToBottom {
  private following = true;
  private lastProgrammaticTop = -1;
  private lastHeight = 0;

  constructor(
    private readonly scroller: HTMLElement,
    private readonly jumpButton: HTMLButtonElement,
  ) {
    scroller.addEventListener(
      'wheel',
      (event) => {
        if (event.deltaY < 0) this.release();
      },
      { passive: true },
    );
    scroller.addEventListener('touchmove', () => this.release(), { passive: true });
    scroller.addEventListener('keydown', (event) => {
      if (['ArrowUp', 'PageUp', 'Home'].includes(event.key)) this.release();
    });
    scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    jumpButton.addEventListener('click', () => this.jumpToLatest());
  }

  get isFollowing(): boolean {
    return this.following;
  }

  /** After content grew: keep the newest text in view when following. */
  contentChanged(): void {
    if (this.following) this.scrollToBottom();
    else this.updateButton();
  }

  jumpToLatest(): void {
    this.following = true;
    this.scrollToBottom();
    this.updateButton();
  }

  private release(): void {
    if (this.distanceFromBottom() > 1 || this.scroller.scrollHeight > this.scroller.clientHeight)
      this.following = false;
    this.updateButton();
  }

  private onScroll(): void {
    const top = this.scroller.scrollTop;
    const height = this.scroller.scrollHeight;
    // Moved up by something other than us while the content did not shrink: the reader dragged the scrollbar.
    // (Content that shrinks, e.g. a re-rendered tail, moves the position too, and must not let go.)
    if (
      this.following &&
      this.lastProgrammaticTop >= 0 &&
      top < this.lastProgrammaticTop - 2 &&
      height >= this.lastHeight
    ) {
      this.following = false;
    }
    if (!this.following && this.distanceFromBottom() <= AT_BOTTOM_PX) this.following = true;
    this.lastProgrammaticTop = this.following ? top : -1;
    this.lastHeight = height;
    this.updateButton();
  }

  private scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight - this.scroller.clientHeight;
    this.lastProgrammaticTop = this.scroller.scrollTop;
    this.lastHeight = this.scroller.scrollHeight;
  }

  private distanceFromBottom(): number {
    return this.scroller.scrollHeight - this.scroller.clientHeight - this.scroller.scrollTop;
  }

  private updateButton(): void {
    this.jumpButton.hidden = this.following || this.distanceFromBottom() <= AT_BOTTOM_PX;
  }
}
