/**
 * The compare view's chart, in plain SVG (a chart library would double the page's JavaScript for one
 * line chart): for each model, its output tokens over time since the prompt was sent, as a line with one
 * dot per chunk. Where a line starts is the time to first token, the dots' spacing the gaps between
 * chunks, their size the chunk's length, the line's slope the tokens per second. Every dot carries the
 * chunk it was drawn from (`data-at-ms`, `data-chars`), so what is drawn can be checked against what the
 * browser client received.
 */
import { cumulativeOutput, type ChunkArrival } from '../../browser/index.js';

export interface ChartSeries {
  label: string;
  /** A class that sets `--lane-color` (the lane's colour; a class, as the page's CSP forbids style attributes). */
  className: string;
  chunks: readonly ChunkArrival[];
  /** The model's own output token count, when its usage arrived. */
  outputTokens?: number | null;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { top: 12, right: 16, bottom: 34, left: 48 };

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A round step for about `count` ticks up to `max` (1, 2 or 5 times a power of ten). */
function tickStep(max: number, count: number): number {
  const raw = Math.max(max, 1e-9) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const factor = [1, 2, 5, 10].find((f) => f * power >= raw) ?? 10;
  return factor * power;
}

/** Draws the series into `host`, replacing what was there. */
export function drawStreamChart(host: HTMLElement, series: readonly ChartSeries[]): void {
  const points = series.map((s) => cumulativeOutput(s.chunks, s.outputTokens));
  const maxMs = Math.max(1, ...points.flat().map((p) => p.atMs));
  const maxTokens = Math.max(1, ...points.flat().map((p) => p.tokens));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + (ms / maxMs) * plotW;
  const y = (tokens: number) => MARGIN.top + plotH - (tokens / maxTokens) * plotH;

  const svg = el('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `Output tokens over time for ${series.map((s) => s.label).join(', ')}`,
  });
  const timeStep = tickStep(maxMs, 6);
  // Ticks by index (adding the step up would gather floating-point error: 0.30000000000000004 s).
  for (let i = 0; i * timeStep <= maxMs; i += 1) {
    const ms = i * timeStep;
    svg.append(el('line', { class: 'grid', x1: x(ms), x2: x(ms), y1: MARGIN.top, y2: MARGIN.top + plotH }));
    const label = `${Number((ms / 1000).toFixed(3))} s`;
    svg.append(el('text', { x: x(ms), y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle' }, label));
  }
  const tokenStep = tickStep(maxTokens, 4);
  for (let i = 0; i * tokenStep <= maxTokens; i += 1) {
    const tokens = i * tokenStep;
    svg.append(el('line', { class: 'grid', x1: MARGIN.left, x2: MARGIN.left + plotW, y1: y(tokens), y2: y(tokens) }));
    svg.append(el('text', { x: MARGIN.left - 6, y: y(tokens) + 4, 'text-anchor': 'end' }, String(Math.round(tokens))));
  }
  svg.append(
    el('line', { class: 'axis', x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + plotH }),
    el('line', { class: 'axis', x1: MARGIN.left, x2: MARGIN.left + plotW, y1: y(0), y2: y(0) }),
    el('text', { x: MARGIN.left + plotW, y: HEIGHT - 4, 'text-anchor': 'end' }, 'time since the prompt was sent'),
    el('text', { x: 4, y: MARGIN.top - 2 }, 'tokens'),
  );

  series.forEach((s, index) => {
    const group = el('g', { class: s.className, 'data-series': s.label });
    const line = points[index]!;
    if (line.length > 0) {
      // From the x axis at the first chunk's time (the wait before it is the time to first token).
      const path = [`M${x(line[0]!.atMs)},${y(0)}`, ...line.map((p) => `L${x(p.atMs)},${y(p.tokens)}`)].join(' ');
      group.append(el('path', { class: 'series', d: path }));
    }
    line.forEach((point, i) => {
      const chunk = s.chunks[i]!;
      const radius = Math.min(7, Math.max(1.5, Math.sqrt(chunk.chars) / 1.6));
      group.append(
        el('circle', {
          class: 'chunk',
          cx: x(point.atMs),
          cy: y(point.tokens),
          r: radius,
          'data-at-ms': chunk.atMs,
          'data-chars': chunk.chars,
        }),
      );
    });
    svg.append(group);
  });
  host.replaceChildren(svg);
}
