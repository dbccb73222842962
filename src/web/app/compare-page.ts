/**
 * The compare view (`#compare`): one prompt to two to four models side by side, streaming together,
 * each in its own lane, with a chart and a table of how each streamed (time to first token, chunk sizes,
 * gaps between chunks, tokens per second), computed by the module `bedrock-inference compare` uses too.
 * Stop (or Esc) stops every lane upstream; a lane that fails shows its error while the others go on.
 */
import type { ModelList, StreamCharacteristics } from '../../browser/index.js';
import type { ApiKeyStore } from './api-key.js';
import { CompareLane, type LaneRequest } from './compare-lane.js';
import { byId, h } from './dom.js';
import { modelOptionGroups } from './model-options.js';
import { clientOptions, loadModelList } from './server-api.js';
import type { SettingsPanel } from './settings-panel.js';
import { drawStreamChart } from './stream-chart.js';

const MAX_LANES = 4;
const MIN_LANES = 2;
/** While lanes stream, the chart and table are redrawn at most this often (they are for reading, not animation). */
const REDRAW_MS = 250;

export class ComparePage {
  private readonly form = byId<HTMLFormElement>('compare-form');
  private readonly pickers: HTMLSelectElement[] = [];
  private readonly prompt = byId<HTMLTextAreaElement>('compare-prompt');
  private readonly run = byId<HTMLButtonElement>('compare-run');
  private readonly stop = byId<HTMLButtonElement>('compare-stop');
  private readonly problem = byId<HTMLParagraphElement>('compare-problem');
  private readonly laneList = byId<HTMLOListElement>('lanes');
  private readonly figure = byId<HTMLElement>('compare-chart');
  private readonly chart = byId<HTMLDivElement>('chart');
  private readonly stats = byId<HTMLTableElement>('compare-stats');
  private lanes: CompareLane[] = [];
  private models: Promise<void> | undefined;
  private redraw: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly settings: SettingsPanel,
  ) {
    const fieldset = byId<HTMLFieldSetElement>('compare-models');
    for (let i = 0; i < MAX_LANES; i += 1) {
      const select = h('select', { id: `compare-model-${i + 1}`, 'aria-label': `Model ${i + 1}` });
      this.pickers.push(select);
      fieldset.append(
        h(
          'label',
          { class: `lane-${i + 1}` },
          h('span', { class: 'lane-swatch', 'aria-hidden': 'true' }),
          `${i + 1}`,
          select,
        ),
      );
    }
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.start();
    });
    this.prompt.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.start();
      }
    });
    this.stop.addEventListener('click', () => void this.stopAll());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && document.body.dataset.view === 'compare' && this.running) {
        event.preventDefault();
        void this.stopAll();
      }
    });
  }

  /** The view was opened: load the model list once. */
  show(): void {
    this.models ??= loadModelList(this.keys).then(
      (models) => this.fillPickers(models),
      (error: unknown) => {
        this.problem.textContent = `Could not load the model list: ${(error as Error).message}`;
        this.models = undefined;
      },
    );
  }

  private get running(): boolean {
    return this.lanes.some((lane) => !lane.ended);
  }

  /** Every picker lists every model; the first three start on the default model and two other families. */
  private fillPickers(models: ModelList): void {
    const firstOfFamily = new Map<string, string>();
    for (const model of models.models) if (!firstOfFamily.has(model.family)) firstOfFamily.set(model.family, model.id);
    const defaultFamily = models.models.find((m) => m.id === models.defaultModel)?.family;
    const defaults = [
      models.defaultModel,
      ...[...firstOfFamily].filter(([family]) => family !== defaultFamily).map(([, id]) => id),
    ].slice(0, 3);
    this.pickers.forEach((select, index) => {
      select.replaceChildren(
        h('option', { value: '' }, index < MIN_LANES ? 'Choose a model' : 'None'),
        ...modelOptionGroups(models),
      );
      select.value = defaults[index] ?? '';
    });
  }

  private chosenModels(): string[] | string {
    const chosen = this.pickers.map((select) => select.value).filter((id) => id !== '');
    if (chosen.length < MIN_LANES) return `Choose at least ${MIN_LANES} models to compare.`;
    if (new Set(chosen).size !== chosen.length) return 'Each model can be chosen once: pick different models.';
    return chosen;
  }

  private start(): void {
    if (this.running) return;
    const prompt = this.prompt.value.trim();
    const models = this.chosenModels();
    this.problem.textContent = typeof models === 'string' ? models : prompt === '' ? 'Write a prompt first.' : '';
    if (typeof models === 'string' || prompt === '') return;
    const s = this.settings.settings;
    this.laneList.replaceChildren();
    const client = clientOptions(this.keys);
    const hooks = { changed: () => this.scheduleRedraw(), ended: () => this.laneEnded() };
    this.lanes = models.map((model, index) => {
      const request: LaneRequest = {
        model,
        prompt,
        maxTokens: s.maxTokens,
        temperature: s.temperature,
        system: s.system,
      };
      return new CompareLane(index, request, client, hooks, s.smooth);
    });
    for (const lane of this.lanes) this.laneList.append(lane.view.element);
    this.figure.hidden = false;
    this.run.hidden = true;
    this.stop.hidden = false;
    this.draw();
  }

  private async stopAll(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.stop()));
  }

  private laneEnded(): void {
    if (this.running) {
      this.scheduleRedraw();
      return;
    }
    clearTimeout(this.redraw);
    this.redraw = undefined;
    this.draw();
    this.run.hidden = false;
    this.stop.hidden = true;
  }

  private scheduleRedraw(): void {
    this.redraw ??= setTimeout(() => {
      this.redraw = undefined;
      this.draw();
    }, REDRAW_MS);
  }

  /** The chart and the table from every lane's recorded chunks. */
  private draw(): void {
    drawStreamChart(
      this.chart,
      this.lanes.map((lane) => ({
        label: lane.request.model,
        className: `lane-${lane.index + 1}`,
        chunks: lane.recorder.chunks,
        outputTokens: lane.outputTokens,
      })),
    );
    const header = h(
      'tr',
      {},
      ...['model', 'first token', 'chunks', 'chunk chars p50 / p95', 'gap ms p50 / p95', 'tokens/s', 'tokens'].map(
        (title) => h('th', { scope: 'col' }, title),
      ),
    );
    const rows = this.lanes.map((lane) =>
      h(
        'tr',
        { class: `lane-${lane.index + 1}`, 'data-model': lane.request.model },
        h('th', { scope: 'row' }, h('span', { class: 'lane-swatch', 'aria-hidden': 'true' }), lane.request.model),
        ...cells(lane.characteristics(), lane.outputTokens !== null).map((text) => h('td', {}, text)),
      ),
    );
    this.stats.replaceChildren(this.stats.caption ?? '', h('thead', {}, header), h('tbody', {}, ...rows));
  }
}

function cells(c: StreamCharacteristics, counted: boolean): string[] {
  const num = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  return [
    c.timeToFirstTokenMs === null ? '-' : `${Math.round(c.timeToFirstTokenMs)} ms`,
    String(c.chunkCount),
    c.chunkChars === null ? '-' : `${num(c.chunkChars.median)} / ${num(c.chunkChars.p95)}`,
    c.gapMs === null ? '-' : `${num(c.gapMs.median)} / ${num(c.gapMs.p95)}`,
    c.tokensPerSecond === null ? '-' : c.tokensPerSecond.toFixed(1),
    c.chunkCount === 0 ? '0' : `${c.outputTokens}${counted ? '' : ' (est.)'}`,
  ];
}
