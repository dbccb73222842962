/**
 * One assistant answer on the page: the typing indicator until the first token, a collapsible
 * "thinking" block while reasoning streams, the markdown answer painted on animation frames, the
 * state line (retrying, throttled, reconnecting, stopped, errors by type), the actions (copy,
 * continue, retry, share) and the metrics. It is driven by the browser client's events and state
 * machine only, so the same view serves a chat turn, a watched generation and a lane of a comparison;
 * an action shows only where its hook is given (a watcher cannot continue someone else's answer).
 */
import type { ChatEvent, ChatSnapshot, GuardrailNotice, ToolCallState } from '../../browser/index.js';
import { renderMarkdown, StreamingMarkdown } from '../markdown/index.js';
import { answerMetrics, formatMetrics, type AnswerMetrics } from './answer-metrics.js';
import type { AnswerStatus, StoredMessage } from './conversation-store.js';
import { h } from './dom.js';
import { FramePainter } from './frame-painter.js';
import { ToolCallsView } from './tool-calls-view.js';

export interface AnswerViewHooks {
  /** After the visible answer grew (auto-scroll, announcements). */
  grew(view: AnswerView): void;
  /** The answer reached a terminal state. */
  ended(view: AnswerView): void;
  onContinue?(view: AnswerView): void;
  onRetry?(view: AnswerView): void;
  /** Share is offered from the generation's `start` event on, also while it streams. */
  onShare?(view: AnswerView): void;
}

export class AnswerView {
  readonly element: HTMLLIElement;
  private readonly answer: HTMLDivElement;
  private readonly typing: HTMLDivElement;
  private readonly typingLabel: HTMLSpanElement;
  private readonly reasoningBlock: HTMLDetailsElement;
  private readonly reasoningSummary: HTMLElement;
  private readonly reasoningText: Text;
  private readonly status: HTMLDivElement;
  private readonly tools = new ToolCallsView();
  private readonly guardrailNotice: HTMLDivElement;
  private readonly guardrailText: HTMLSpanElement;
  private readonly withdrawnToggle: HTMLButtonElement;
  private readonly metricsLine: HTMLDivElement;
  private readonly continueButton: HTMLButtonElement;
  private readonly retryButton: HTMLButtonElement;
  private readonly shareButton: HTMLButtonElement;
  private readonly copyButton: HTMLButtonElement;
  private readonly shareLine: HTMLDivElement;
  private readonly shareInput: HTMLInputElement;
  private readonly shareNote: HTMLSpanElement;
  private readonly meta: HTMLDivElement;
  private markdown: StreamingMarkdown;
  private readonly painter: FramePainter;
  private countdown: ReturnType<typeof setInterval> | undefined;
  /** The answer as far as it arrived (what is saved and copied; may be ahead of the screen by a frame). */
  private received = '';
  private reasoning = '';
  /** The phase (and detail) last shown. */
  private shownPhase = '';
  /** The server's id for the generation, from its `start` event. */
  generationId: string | undefined;
  endedAs: AnswerStatus | undefined;
  /** The answer's tool calls and guardrail verdict, as last shown (kept with the conversation). */
  toolCalls: ToolCallState[] = [];
  guardrail: GuardrailNotice | undefined;
  metrics: AnswerMetrics | undefined;
  note: string | undefined;

  constructor(
    readonly model: string,
    private readonly hooks: AnswerViewHooks,
    smooth: boolean,
  ) {
    this.answer = h('div', { class: 'answer markdown' });
    this.typingLabel = h('span', { class: 'typing-label' }, 'Waiting for the first token…');
    this.typing = h(
      'div',
      { class: 'typing', role: 'status' },
      h('span', { class: 'dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')),
      this.typingLabel,
    );
    this.reasoningText = document.createTextNode('');
    this.reasoningSummary = h('summary', {}, 'Thinking…');
    this.reasoningBlock = h(
      'details',
      { class: 'reasoning', hidden: true },
      this.reasoningSummary,
      h('div', { class: 'reasoning-text' }, this.reasoningText),
    );
    this.status = h('div', { class: 'status', hidden: true });
    this.guardrailText = h('span', { class: 'guardrail-text' });
    this.withdrawnToggle = h(
      'button',
      { type: 'button', class: 'small', hidden: true, 'aria-expanded': 'false' },
      'Show withdrawn text',
    );
    this.guardrailNotice = h(
      'div',
      { class: 'guardrail-notice', role: 'note', hidden: true },
      this.guardrailText,
      this.withdrawnToggle,
    );
    this.continueButton = h('button', { type: 'button', class: 'small', hidden: true }, 'Continue');
    this.retryButton = h('button', { type: 'button', class: 'small', hidden: true }, 'Retry');
    const copyButton = h('button', { type: 'button', class: 'small', 'aria-label': 'Copy answer' }, 'Copy');
    this.copyButton = copyButton;
    this.shareButton = h(
      'button',
      { type: 'button', class: 'small share', hidden: true, title: 'A link that lets others watch this answer' },
      'Share',
    );
    this.shareInput = h('input', { type: 'text', readonly: true, 'aria-label': 'Link to watch this answer' });
    this.shareNote = h('span', { class: 'share-note' });
    this.shareLine = h('div', { class: 'share-line', hidden: true }, this.shareInput, this.shareNote);
    this.metricsLine = h('div', { class: 'metrics' });
    this.meta = h('div', { class: 'message-meta' }, shortModelName(model));
    this.element = h(
      'li',
      { class: 'message assistant', 'data-phase': 'submitting' },
      this.meta,
      this.reasoningBlock,
      this.tools.element,
      this.typing,
      this.answer,
      this.guardrailNotice,
      this.status,
      h('div', { class: 'actions' }, copyButton, this.continueButton, this.retryButton, this.shareButton),
      this.shareLine,
      this.metricsLine,
    );
    this.markdown = new StreamingMarkdown(this.answer);
    this.painter = new FramePainter(
      {
        show: (delta) => this.markdown.append(delta),
        painted: () => {
          this.markdown.render();
          this.hooks.grew(this);
        },
      },
      smooth,
    );
    copyButton.addEventListener('click', () => void copyText(this.text, copyButton));
    this.continueButton.addEventListener('click', () => this.hooks.onContinue?.(this));
    this.retryButton.addEventListener('click', () => this.hooks.onRetry?.(this));
    this.shareButton.addEventListener('click', () => this.hooks.onShare?.(this));
    this.withdrawnToggle.addEventListener('click', () => this.showWithdrawn(!this.answer.classList.contains('shown')));
    this.shareInput.addEventListener('focus', () => this.shareInput.select());
  }

  /** A finished answer restored from storage: rendered once, whole. */
  static restored(message: StoredMessage, hooks: AnswerViewHooks): AnswerView {
    const view = new AnswerView(message.model ?? '', hooks, false);
    view.generationId = message.generationId;
    view.shareButton.hidden = hooks.onShare === undefined || view.generationId === undefined;
    view.received = message.content;
    view.reasoning = message.reasoning ?? '';
    view.typing.hidden = true;
    if (message.toolCalls !== undefined) {
      view.toolCalls = message.toolCalls;
      view.tools.update(message.toolCalls);
    }
    if (view.reasoning !== '') {
      view.reasoningText.data = view.reasoning;
      view.reasoningBlock.hidden = false;
      view.reasoningSummary.textContent = 'Reasoning';
    }
    if (message.status === undefined || message.status === 'done') void renderMarkdown(message.content, view.answer);
    else {
      // Cut short: shown as it was on screen when it stopped, its open block closed.
      view.markdown.append(message.content);
      view.markdown.render();
    }
    view.finishAs(message.status ?? 'done', message.note, message.metrics);
    view.showGuardrail(message.guardrail);
    return view;
  }

  /** The text of the answer as received so far. */
  get text(): string {
    return this.received;
  }

  get reasoningSoFar(): string {
    return this.reasoning;
  }

  setSmooth(smooth: boolean): void {
    this.painter.setSmooth(smooth);
  }

  /** Starts over for a continuation from `prefix` (Continue) or from nothing (Retry, re-attach). */
  restart(prefix: string): void {
    this.painter.flush();
    this.answer.replaceChildren();
    this.markdown = new StreamingMarkdown(this.answer);
    this.received = prefix;
    if (prefix !== '') {
      this.markdown.append(prefix);
      this.markdown.render();
    }
    if (prefix === '') {
      this.reasoning = '';
      this.reasoningText.data = '';
      this.reasoningBlock.hidden = true;
    }
    this.endedAs = undefined;
    this.note = undefined;
    this.metrics = undefined;
    this.tools.clear();
    this.toolCalls = [];
    this.showGuardrail(undefined);
    this.element.classList.remove('settled', 'stopped', 'failed');
    this.metricsLine.textContent = '';
    this.shareLine.hidden = true;
    this.status.title = '';
    this.setStatus(undefined);
    this.continueButton.hidden = true;
    this.retryButton.hidden = true;
    this.typing.hidden = false;
    this.typingLabel.textContent = 'Waiting for the first token…';
    this.element.dataset.phase = 'submitting';
    this.shownPhase = '';
  }

  /** Applies one event from the browser client (with its snapshot after the event). */
  handle(event: ChatEvent, snapshot: ChatSnapshot): void {
    switch (event.type) {
      case 'text':
        this.received += event.text;
        this.painter.push(event.text);
        break;
      case 'reasoning':
        this.reasoning += event.text;
        this.reasoningBlock.hidden = false;
        this.reasoningText.appendData(event.text);
        break;
      case 'retry':
        this.showRetry(event);
        break;
      case 'tool-call-start':
      case 'tool-call-delta':
      case 'tool-call':
      case 'tool-result':
        this.toolCalls = snapshot.toolCalls;
        this.tools.update(snapshot.toolCalls);
        break;
      case 'guardrail':
        this.showGuardrail(event);
        break;
      case 'reconnecting':
        this.setStatus(`Connection lost: reconnecting (attempt ${event.attempt})…`, 'info');
        break;
      case 'reconnected':
        this.setStatus(undefined);
        break;
      case 'done':
        this.painter.flush();
        this.markdown.finish();
        if (event.guardrail !== undefined) this.showGuardrail(event.guardrail);
        this.finishAs('done', undefined, answerMetrics(snapshot));
        break;
      // An answer cut short keeps its open block as it was on screen (a half link shows its text): it is not final.
      case 'cancelled':
        this.painter.flush();
        this.finishAs('stopped', 'Stopped', answerMetrics(snapshot));
        break;
      case 'error':
        this.painter.flush();
        this.status.title = event.message;
        this.finishAs('error', errorNote(event), answerMetrics(snapshot));
        break;
      case 'start':
        this.generationId = event.id;
        this.meta.textContent = shortModelName(event.model);
        this.shareButton.hidden = this.hooks.onShare === undefined;
        break;
      case 'step':
        // The next model call's text starts a new paragraph (the calls' texts are not one sentence).
        if (this.received.trim() !== '') this.handle({ type: 'text', text: '\n\n' }, snapshot);
        break;
      case 'usage':
        break;
    }
    this.showPhase(snapshot);
  }

  /** Ends the answer from the page's side (e.g. its own timeout), keeping what arrived. */
  fail(note: string): void {
    this.painter.flush();
    this.finishAs('error', note, this.metrics);
  }

  /** Reflects the state machine in the DOM; per text event nothing changes, so nothing is written. */
  private showPhase(snapshot: ChatSnapshot): void {
    const { state } = snapshot;
    const key = `${state.phase}:${'detail' in state ? state.detail : ''}`;
    if (key === this.shownPhase) return;
    this.shownPhase = key;
    const { phase } = state;
    this.element.dataset.phase = phase;
    const waiting =
      phase === 'submitting' ||
      phase === 'waiting' ||
      (phase === 'reconnecting' && this.received === '' && this.reasoning === '');
    const thinking = phase === 'streaming' && state.detail === 'reasoning';
    const usingTools = phase === 'streaming' && state.detail === 'tool';
    this.typing.hidden = !(waiting || thinking || usingTools);
    if (thinking) {
      this.typingLabel.textContent = 'Thinking…';
      this.reasoningSummary.textContent = 'Thinking…';
    } else if (usingTools) {
      this.typingLabel.textContent = 'Using tools…';
    } else if (phase === 'waiting' && state.detail === 'first-token') {
      this.typingLabel.textContent = 'Waiting for the first token…';
    }
    if (phase === 'streaming' && state.detail === 'text') {
      this.reasoningSummary.textContent = 'Reasoning';
      this.stopCountdown();
      if (this.status.dataset.kind === 'wait') this.setStatus(undefined);
    }
  }

  private showRetry(event: Extract<ChatEvent, { type: 'retry' }>): void {
    this.stopCountdown();
    const throttled = /Throttl/i.test(event.error);
    let remaining = Math.ceil(event.delayMs / 1000);
    const say = () =>
      this.setStatus(
        throttled
          ? `Bedrock is throttling this model: retrying in ${remaining} s (attempt ${event.attempt + 1}).`
          : `${event.message} Retrying in ${remaining} s (attempt ${event.attempt + 1}).`,
        'wait',
      );
    say();
    this.typingLabel.textContent = throttled ? 'Rate limited, waiting…' : 'Retrying…';
    this.countdown = setInterval(() => {
      remaining = Math.max(0, remaining - 1);
      say();
      if (remaining === 0) this.stopCountdown();
    }, 1000);
  }

  private stopCountdown(): void {
    clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private finishAs(status: AnswerStatus, note: string | undefined, metrics: AnswerMetrics | undefined): void {
    this.stopCountdown();
    this.endedAs = status;
    this.note = note;
    this.metrics = metrics;
    this.typing.hidden = true;
    this.element.dataset.phase = status === 'stopped' ? 'stopped' : status;
    this.element.classList.add('settled');
    this.element.classList.toggle('stopped', status === 'stopped');
    this.element.classList.toggle('failed', status === 'error');
    this.reasoningSummary.textContent = 'Reasoning';
    this.setStatus(note, status === 'error' ? 'error' : 'info');
    this.metricsLine.textContent = metrics === undefined ? '' : formatMetrics(metrics);
    this.continueButton.hidden =
      this.hooks.onContinue === undefined || !(status === 'error' && this.received.trim() !== '');
    this.retryButton.hidden = this.hooks.onRetry === undefined || status === 'done';
    // Nothing to copy from an answer that ended before its first word.
    this.copyButton.hidden = this.text.trim() === '';
    this.hooks.ended(this);
  }

  /**
   * A guardrail's intervention: a notice, and text it withdraws hidden (the guardrail stopped it for a
   * reason) but kept: a button shows it, struck through, for whoever needs to see what was withdrawn.
   * `none` verdicts show nothing.
   */
  private showGuardrail(notice: GuardrailNotice | undefined): void {
    this.guardrail = notice;
    const intervened = notice?.action === 'intervened';
    const withdrawn = intervened && notice.withdrawsStreamedText && this.received !== '';
    this.guardrailNotice.hidden = !intervened;
    this.guardrailText.textContent = !intervened
      ? ''
      : notice.phase === 'input'
        ? 'A guardrail blocked this request.'
        : `A guardrail stopped this answer${withdrawn ? ' and withdrew its text' : ''}.`;
    this.withdrawnToggle.hidden = !withdrawn;
    this.answer.classList.toggle('withdrawn', withdrawn);
    this.showWithdrawn(false);
  }

  private showWithdrawn(shown: boolean): void {
    this.answer.classList.toggle('shown', shown);
    this.withdrawnToggle.setAttribute('aria-expanded', String(shown));
    this.withdrawnToggle.textContent = shown ? 'Hide withdrawn text' : 'Show withdrawn text';
  }

  /** Shows the link that lets others watch this answer (selected, ready to copy), or why there is none. */
  showShareLink(link: { url: string; copied: boolean } | { problem: string }): void {
    this.shareLine.hidden = false;
    if ('problem' in link) {
      this.shareInput.hidden = true;
      this.shareNote.textContent = link.problem;
      return;
    }
    this.shareInput.hidden = false;
    this.shareInput.value = link.url;
    this.shareNote.textContent = link.copied
      ? 'Copied: anyone with this link can watch.'
      : 'Anyone with this link can watch.';
  }

  private setStatus(text: string | undefined, kind: 'info' | 'wait' | 'error' = 'info'): void {
    this.status.hidden = text === undefined;
    this.status.textContent = text ?? '';
    this.status.dataset.kind = kind;
  }
}

function errorNote(event: Extract<ChatEvent, { type: 'error' }>): string {
  if (event.status === 400 || event.errorType === 'ValidationError' || event.errorType === 'invalid_request') {
    return `The request was refused: ${event.message}${event.fix === undefined ? '' : ` ${event.fix}`}`;
  }
  if (event.status === 401) return 'The server needs a valid API key.';
  if (event.status === 429 || event.errorType === 'ThrottlingError') {
    // A service quota of the account (ServiceQuotaExceededException) is not a rate: waiting will not help.
    if (!event.retryable) {
      return `A Bedrock quota of this account is used up. ${event.fix ?? 'Retrying will not help: ask for a higher quota.'}`;
    }
    const wait = event.retryAfterMs === undefined ? '' : ` Try again in ${Math.ceil(event.retryAfterMs / 1000)} s.`;
    return `Bedrock is throttling this model.${wait}`;
  }
  if (event.partialText.trim() !== '') {
    // The library's message is written for developers (it names error.partialText and resume): say it plainly.
    return `The answer was interrupted (${event.errorType}). What arrived is kept: Continue finishes it, Retry starts over.`;
  }
  return event.message;
}

function shortModelName(model: string): string {
  return model.replace(/^arn:.*\//, '').replace(/^(us|eu|apac|global)\./, '');
}

async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Copy failed';
  }
  setTimeout(() => (button.textContent = 'Copy'), 1500);
}
