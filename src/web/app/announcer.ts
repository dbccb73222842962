/**
 * What a screen reader hears while an answer streams: whole sentences, a few at a time, never each
 * chunk (a live region updated per chunk is read as a stutter of fragments). Errors go to an assertive
 * region so they interrupt.
 */
const MIN_GAP_MS = 1500;
const SENTENCE_END = /[.!?…。！？](?=\s|$)|\n\n/g;

export class Announcer {
  private heard = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private text = '';

  constructor(
    private readonly polite: HTMLElement,
    private readonly assertive: HTMLElement,
  ) {}

  /** A new answer begins. */
  reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.heard = 0;
    this.text = '';
  }

  /** The answer so far; complete sentences not yet announced are queued. */
  update(text: string): void {
    this.text = text;
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(false), MIN_GAP_MS);
  }

  /** The answer ended: announce what is left. */
  finish(text: string, status: string): void {
    this.text = text;
    this.flush(true);
    this.say(status);
  }

  alert(message: string): void {
    this.assertive.textContent = message;
  }

  private flush(all: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const end = all ? this.text.length : this.lastSentenceEnd();
    if (end <= this.heard) return;
    const sentences = this.text
      .slice(this.heard, end)
      .replace(/[#*_`>|]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    this.heard = end;
    if (sentences !== '') this.say(sentences);
  }

  private lastSentenceEnd(): number {
    let end = this.heard;
    SENTENCE_END.lastIndex = this.heard;
    for (let match = SENTENCE_END.exec(this.text); match !== null; match = SENTENCE_END.exec(this.text)) {
      end = match.index + match[0].length;
    }
    return end;
  }

  private say(message: string): void {
    // A fresh node per announcement: screen readers read additions to a live region.
    const line = document.createElement('p');
    line.textContent = message;
    this.polite.append(line);
    while (this.polite.childElementCount > 3) this.polite.firstElementChild?.remove();
  }
}
