/**
 * The chat page: a conversation kept across reloads, one answer streaming at a time through the
 * browser client, Stop / Continue / Retry, and re-attaching to a generation still running after a
 * reload. Generations are started `detached` so a dropped connection or a reload can re-attach
 * (the server keeps generating); Stop, New chat and the page's own timeout cancel them upstream
 * through the server's cancel route.
 */
import {
  share,
  streamChat,
  watch,
  type ChatEvent,
  type ChatMessage,
  type ChatSnapshot,
  type ChatStream,
} from '../../browser/index.js';
import { Announcer } from './announcer.js';
import { AnswerView, type AnswerViewHooks } from './answer-view.js';
import { clientOptions, loadModelList } from './server-api.js';
import type { ApiKeyStore } from './api-key.js';
import {
  loadConversation,
  saveConversation,
  type StoredConversation,
  type StoredMessage,
} from './conversation-store.js';
import { byId, h } from './dom.js';
import { watchLink } from './page-route.js';
import type { SettingsPanel } from './settings-panel.js';
import { StickToBottom } from './stick-to-bottom.js';

/** With no event at all for this long while waiting for an answer, the page gives up with a message. */
const SILENCE_TIMEOUT_MS = 90_000;

interface Running {
  stream: ChatStream;
  view: AnswerView;
  /** Text the answer had before this stream (a continuation's prefill). */
  prefix: string;
  watchdog: ReturnType<typeof setTimeout> | undefined;
}

export class ChatApp {
  private readonly conversation: StoredConversation = loadConversation();
  private readonly views = new Map<StoredMessage, AnswerView>();
  private readonly list = byId<HTMLOListElement>('messages');
  private readonly prompt = byId<HTMLTextAreaElement>('prompt');
  private readonly send = byId<HTMLButtonElement>('send');
  private readonly stop = byId<HTMLButtonElement>('stop');
  private readonly scroll = new StickToBottom(byId('conversation'), byId('jump'));
  private readonly announcer = new Announcer(byId('announcer'), byId('alerts'));
  private readonly keys: ApiKeyStore;
  private readonly settings: SettingsPanel;
  private running: Running | undefined;

  private readonly hooks: AnswerViewHooks = {
    grew: (view) => {
      this.scroll.contentChanged();
      if (view === this.running?.view) this.announcer.update(view.text);
    },
    // The end adds the metrics and actions under the answer: keep them in view when following.
    ended: () => this.scroll.contentChanged(),
    onContinue: (view) => this.continueAnswer(view),
    onRetry: (view) => this.retryAnswer(view),
    onShare: (view) => void this.shareAnswer(view),
  };

  constructor(keys: ApiKeyStore, settings: SettingsPanel) {
    this.keys = keys;
    this.settings = settings;
    for (const message of this.conversation.messages) this.list.append(this.messageElement(message));
    this.updateEmpty();
    this.bindComposer();
    byId<HTMLButtonElement>('new-chat').addEventListener('click', () => this.newChat());
    this.scroll.jumpToLatest();
  }

  async start(): Promise<void> {
    await this.loadModels();
    const running = this.conversation.running;
    if (running !== undefined) this.reattach(running.generationId, running.prefix);
  }

  private async loadModels(): Promise<void> {
    try {
      this.settings.setModels(await loadModelList(this.keys));
    } catch (error) {
      this.announcer.alert(`Could not load the model list: ${(error as Error).message}`);
    }
  }

  /** Steady reveal switched in the settings: the running answer follows at once. */
  settingsChanged(): void {
    this.running?.view.setSmooth(this.settings.settings.smooth);
  }

  private clientOptions(): { baseUrl: string; apiKey?: string } {
    return clientOptions(this.keys);
  }

  /** Share: a link to watch this answer (live while it streams), copied to the clipboard when allowed. */
  private async shareAnswer(view: AnswerView): Promise<void> {
    const id = view.generationId;
    if (id === undefined) return;
    try {
      const link = await share(id, this.clientOptions());
      const url = watchLink(location.href, link.id, link.share);
      const copied = await navigator.clipboard.writeText(url).then(
        () => true,
        () => false,
      );
      view.showShareLink({ url, copied });
    } catch (error) {
      const status = (error as { status?: number }).status;
      view.showShareLink({
        problem:
          status === 404
            ? 'This answer is no longer kept on the server, so it cannot be shared.'
            : `Could not share: ${(error as Error).message}`,
      });
    }
  }

  private bindComposer(): void {
    const form = byId<HTMLFormElement>('composer');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.prompt.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.prompt.addEventListener('input', () => this.fitPrompt());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.running !== undefined) {
        event.preventDefault();
        void this.stopRunning();
      }
    });
    this.stop.addEventListener('click', () => void this.stopRunning());
  }

  private fitPrompt(): void {
    // Grow with the text up to a third of the screen; the stylesheet caps it.
    this.prompt.style.height = 'auto';
    this.prompt.style.height = `${this.prompt.scrollHeight}px`;
  }

  private submit(): void {
    const text = this.prompt.value.trim();
    if (text === '' || this.running !== undefined) return;
    this.prompt.value = '';
    this.fitPrompt();
    const user: StoredMessage = { role: 'user', content: text };
    this.conversation.messages.push(user);
    this.list.append(this.messageElement(user));
    this.startAnswer();
  }

  /** Streams a new assistant answer for the conversation as it stands. */
  private startAnswer(): void {
    const model = this.settings.settings.model ?? '';
    const message: StoredMessage = { role: 'assistant', content: '', model };
    this.conversation.messages.push(message);
    const view = new AnswerView(model, this.hooks, this.settings.settings.smooth);
    this.views.set(message, view);
    this.list.append(view.element);
    this.updateEmpty();
    this.scroll.jumpToLatest();
    this.stream(view, message, this.history(message), '');
  }

  private stream(view: AnswerView, message: StoredMessage, messages: ChatMessage[], prefix: string): void {
    const s = this.settings.settings;
    // Thinking needs its own budget (at least 1024 tokens) within maxTokens: the answer keeps the user's maxTokens.
    const budgetTokens =
      s.reasoning && this.settings.reasoningAllowed() ? Math.max(1024, Math.floor(s.maxTokens / 2)) : 0;
    const stream = streamChat({
      ...this.clientOptions(),
      messages,
      ...(s.model === undefined ? {} : { model: s.model }),
      ...(s.system.trim() === '' ? {} : { system: s.system }),
      maxTokens: s.maxTokens + budgetTokens,
      // Claude's thinking does not combine with a temperature other than its default: leave it out then.
      ...(budgetTokens === 0 ? { temperature: s.temperature } : {}),
      ...(budgetTokens === 0 ? {} : { reasoning: { budgetTokens } }),
      ...(prefix === '' ? {} : { continueFrom: prefix }),
      detached: true,
      onEvent: (event, snapshot) => this.onEvent(message, event, snapshot),
    });
    this.begin(stream, view, prefix);
  }

  /** A generation still running after a reload: watch it from its first event. */
  private reattach(generationId: string, prefix: string): void {
    const message = this.conversation.messages.at(-1);
    const view = message === undefined ? undefined : this.views.get(message);
    if (message === undefined || view === undefined || message.role !== 'assistant') return;
    view.restart(prefix);
    const stream = watch(generationId, {
      ...this.clientOptions(),
      onEvent: (event, snapshot) => this.onEvent(message, event, snapshot),
    });
    this.begin(stream, view, prefix);
  }

  private begin(stream: ChatStream, view: AnswerView, prefix: string): void {
    this.running = { stream, view, prefix, watchdog: undefined };
    this.announcer.reset();
    this.send.hidden = true;
    this.stop.hidden = false;
    this.armWatchdog();
  }

  private onEvent(message: StoredMessage, event: ChatEvent, snapshot: ChatSnapshot): void {
    const running = this.running;
    const view = this.views.get(message);
    if (view === undefined) return;
    if (running?.view === view) this.armWatchdog();
    if (event.type === 'start') {
      this.conversation.running = { generationId: event.id, model: event.model, prefix: running?.prefix ?? '' };
      message.generationId = event.id;
      saveConversation(this.conversation);
    }
    view.handle(event, snapshot);
    if (event.type === 'error' && event.status === 401) void this.keys.ask('The server refused the API key.');
    if (event.type === 'done' || event.type === 'error' || event.type === 'cancelled') this.finished(message, view);
  }

  private finished(message: StoredMessage, view: AnswerView): void {
    if (this.running?.view === view) {
      clearTimeout(this.running.watchdog);
      this.running = undefined;
    }
    message.content = view.text;
    if (view.reasoningSoFar !== '') message.reasoning = view.reasoningSoFar;
    if (view.endedAs !== undefined) message.status = view.endedAs;
    if (view.note !== undefined) message.note = view.note;
    else delete message.note;
    if (view.metrics !== undefined) message.metrics = view.metrics;
    if (view.toolCalls.length > 0) message.toolCalls = view.toolCalls;
    else delete message.toolCalls;
    if (view.guardrail !== undefined) message.guardrail = view.guardrail;
    else delete message.guardrail;
    delete this.conversation.running;
    saveConversation(this.conversation);
    this.send.hidden = false;
    this.stop.hidden = true;
    this.announcer.finish(view.text, view.endedAs === 'done' ? 'Answer complete.' : (view.note ?? 'Answer ended.'));
    if (view.endedAs === 'error' && view.note !== undefined) this.announcer.alert(view.note);
  }

  private armWatchdog(): void {
    const running = this.running;
    if (running === undefined) return;
    clearTimeout(running.watchdog);
    running.watchdog = setTimeout(() => {
      if (this.running !== running) return;
      void running.stream.stop();
      running.view.fail(
        `No answer for ${SILENCE_TIMEOUT_MS / 1000} s: the server or the model stopped responding. Retry, or try another model.`,
      );
    }, SILENCE_TIMEOUT_MS);
  }

  private async stopRunning(): Promise<void> {
    await this.running?.stream.stop();
  }

  private continueAnswer(view: AnswerView): void {
    if (this.running !== undefined) return;
    const message = this.messageOf(view);
    if (message === undefined) return;
    const prefix = view.text.trimEnd();
    view.restart(prefix);
    this.stream(view, message, this.history(message), prefix);
  }

  private retryAnswer(view: AnswerView): void {
    if (this.running !== undefined) return;
    const message = this.messageOf(view);
    if (message === undefined) return;
    view.restart('');
    this.stream(view, message, this.history(message), '');
  }

  private messageOf(view: AnswerView): StoredMessage | undefined {
    for (const [message, candidate] of this.views) if (candidate === view) return message;
    return undefined;
  }

  /**
   * The turns before `upTo`, as the server takes them: empty answers (failed before any text) are
   * left out, and user turns that end up next to each other are joined.
   */
  private history(upTo: StoredMessage): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const message of this.conversation.messages) {
      if (message === upTo) break;
      if (message.content.trim() === '') continue;
      // Text a guardrail withdrew is not part of the conversation.
      if (message.guardrail?.withdrawsStreamedText === true && message.guardrail.action === 'intervened') continue;
      const last = out.at(-1);
      if (last !== undefined && last.role === message.role) last.content += `\n\n${message.content}`;
      else out.push({ role: message.role, content: message.content });
    }
    return out;
  }

  private newChat(): void {
    void this.stopRunning();
    this.conversation.messages = [];
    delete this.conversation.running;
    saveConversation(this.conversation);
    this.views.clear();
    this.list.replaceChildren();
    this.updateEmpty();
    this.prompt.focus();
  }

  private messageElement(message: StoredMessage): HTMLElement {
    if (message.role === 'user') {
      return h('li', { class: 'message user settled' }, h('div', { class: 'user-text' }, message.content));
    }
    const view = AnswerView.restored(message, this.hooks);
    this.views.set(message, view);
    return view.element;
  }

  private updateEmpty(): void {
    byId('empty').hidden = this.conversation.messages.length > 0;
  }
}
