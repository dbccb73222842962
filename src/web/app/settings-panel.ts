/**
 * The model picker (from GET /api/models, with each family's streaming note) and the settings panel
 * (max tokens, temperature, system prompt, reasoning where the model can, steady reveal). Settings are
 * kept in localStorage.
 */
import type { ModelList } from '../../browser/index.js';
import { saveSettings, type Settings } from './conversation-store.js';
import { byId, h } from './dom.js';
import { modelOptionGroups } from './model-options.js';

export class SettingsPanel {
  private models: ModelList | undefined;
  private readonly select = byId<HTMLSelectElement>('model');
  private readonly note = byId<HTMLParagraphElement>('model-note');
  private readonly maxTokens = byId<HTMLInputElement>('max-tokens');
  private readonly temperature = byId<HTMLInputElement>('temperature');
  private readonly system = byId<HTMLTextAreaElement>('system');
  private readonly reasoning = byId<HTMLInputElement>('reasoning');
  private readonly reasoningNote = byId<HTMLSpanElement>('reasoning-note');
  private readonly smooth = byId<HTMLInputElement>('smooth');

  constructor(
    readonly settings: Settings,
    private readonly onChange: (settings: Settings) => void,
  ) {
    const toggle = byId<HTMLButtonElement>('settings-toggle');
    const panel = byId<HTMLElement>('settings');
    toggle.addEventListener('click', () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute('aria-expanded', String(!panel.hidden));
    });
    this.maxTokens.value = String(settings.maxTokens);
    this.temperature.value = String(settings.temperature);
    this.system.value = settings.system;
    this.reasoning.checked = settings.reasoning;
    this.smooth.checked = settings.smooth;
    for (const input of [this.select, this.maxTokens, this.temperature, this.system, this.reasoning, this.smooth]) {
      input.addEventListener('change', () => this.read());
    }
  }

  setModels(models: ModelList): void {
    this.models = models;
    const ids = new Set(models.models.map((m) => m.id));
    this.select.replaceChildren(...modelOptionGroups(models));
    const wanted =
      this.settings.model !== undefined && ids.has(this.settings.model) ? this.settings.model : models.defaultModel;
    if (!ids.has(wanted)) this.select.prepend(h('option', { value: wanted }, wanted));
    this.select.value = wanted;
    this.read();
  }

  private read(): void {
    const s = this.settings;
    s.model = this.select.value || undefined;
    s.maxTokens = clampInt(this.maxTokens.valueAsNumber, 1, 32_000, 1024);
    s.temperature = clampNumber(this.temperature.valueAsNumber, 0, 2, 0.7);
    s.system = this.system.value;
    s.reasoning = this.reasoning.checked;
    s.smooth = this.smooth.checked;
    this.maxTokens.value = String(s.maxTokens);
    this.temperature.value = String(s.temperature);
    this.showModelNote();
    saveSettings(s);
    this.onChange(s);
  }

  /** Whether the chosen model streams its reasoning only when asked (so the switch means something). */
  reasoningAllowed(): boolean {
    return this.modelInfo()?.streaming.reasoning === 'on-request';
  }

  private modelInfo() {
    return this.models?.models.find((m) => m.id === this.settings.model);
  }

  private showModelNote(): void {
    const info = this.modelInfo();
    this.note.textContent = info === undefined ? '' : `${info.family}: ${info.streaming.note}`;
    const mode = info?.streaming.reasoning ?? 'never';
    this.reasoning.disabled = mode !== 'on-request';
    this.reasoningNote.textContent =
      mode === 'always' ? '(this model always reasons)' : mode === 'never' ? '(not available for this model)' : '';
  }
}

function clampInt(value: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

function clampNumber(value: number, min: number, max: number, fallback: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}
