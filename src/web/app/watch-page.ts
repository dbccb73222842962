/**
 * The read-only view of a shared answer (`#watch=<id>&share=<token>`): the same AnswerView as the
 * owner's (typing indicator, formatting, metrics, terminal state with the partial text), fed by the
 * browser client's `watch()` with the share token, which re-attaches by itself when the connection
 * drops. A finished answer replays at once. A token that does not verify, or an answer the server no
 * longer keeps, gets "This link is not valid" (the server answers 404 for both, so ids cannot be probed).
 */
import { watch, type ChatEvent, type ChatStream } from '../../browser/index.js';
import { AnswerView } from './answer-view.js';
import { BASE_URL } from './server-api.js';
import { byId, h } from './dom.js';
import { StickToBottom } from './stick-to-bottom.js';

export class WatchPage {
  private readonly list = byId<HTMLOListElement>('watch-messages');
  private readonly invalid = byId<HTMLDivElement>('watch-invalid');
  private readonly scroll: StickToBottom;
  private stream: ChatStream | undefined;

  constructor() {
    const jump = h('button', { type: 'button', class: 'jump', hidden: true }, 'Jump to latest ↓');
    byId('watch-view').append(jump);
    this.scroll = new StickToBottom(byId('watch-view'), jump);
  }

  /** Watches the generation `id` with its share token (the link's; never an API key). */
  open(id: string, share: string): void {
    void this.stream?.stop();
    this.invalid.hidden = true;
    this.list.replaceChildren();
    if (id === '' || share === '') {
      this.showInvalid();
      return;
    }
    const view = new AnswerView(
      '',
      { grew: () => this.scroll.contentChanged(), ended: () => this.scroll.contentChanged() },
      true,
    );
    this.list.append(view.element);
    const stream = watch(id, {
      baseUrl: BASE_URL,
      share,
      onEvent: (event, snapshot) => {
        if (this.stream !== stream) return;
        if (isInvalidLink(event)) {
          this.list.replaceChildren();
          this.showInvalid();
          return;
        }
        view.handle(event, snapshot);
      },
    });
    this.stream = stream;
  }

  /** Leaving the view: detach (a watcher never cancels the owner's generation). */
  close(): void {
    void this.stream?.stop();
    this.stream = undefined;
  }

  private showInvalid(): void {
    this.invalid.hidden = false;
  }
}

/** The server refused the link itself (unknown id or a token that does not verify), before any event. */
function isInvalidLink(event: ChatEvent): boolean {
  return event.type === 'error' && (event.status === 404 || event.status === 400) && event.partialText === '';
}
