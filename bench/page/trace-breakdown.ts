/**
 * Where the page's main thread spends its time, from a Chromium trace (devtools.timeline categories, the
 * same events as DevTools' Performance panel): the self time of every event on the page's renderer main
 * thread between two user-timing marks the probe sets (the first text event, the final DOM), grouped as
 * DevTools groups them. Tracing slows the page a little, so the section traces separate runs.
 */

export const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'blink.user_timing',
  'v8',
  'v8.execute',
  'toplevel',
];

export type TraceGroup = 'script' | 'parse HTML' | 'style' | 'layout' | 'paint' | 'compositing' | 'GC' | 'other';

export const TRACE_GROUPS: TraceGroup[] = [
  'script',
  'parse HTML',
  'style',
  'layout',
  'paint',
  'compositing',
  'GC',
  'other',
];

export interface TraceBreakdown {
  /** Milliseconds of self time per group, between the marks. */
  groups: Record<TraceGroup, number>;
  /** The event names with the most self time (name, ms). */
  top: [name: string, ms: number][];
  /** The marked window, ms. */
  windowMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: { name?: string };
}

const GROUP_OF: Record<string, TraceGroup> = {
  FunctionCall: 'script',
  EvaluateScript: 'script',
  'v8.compile': 'script',
  'v8.compileModule': 'script',
  'V8.CompileCode': 'script',
  'v8.run': 'script',
  'v8.callFunction': 'script',
  V8Execute: 'script',
  RunMicrotasks: 'script',
  FireAnimationFrame: 'script',
  TimerFire: 'script',
  EventDispatch: 'script',
  'V8.Execute': 'script',
  'v8.produceModuleCache': 'script',
  'V8.DeoptimizeCode': 'script',
  ParseHTML: 'parse HTML',
  ParseAuthorStyleSheet: 'parse HTML',
  UpdateLayoutTree: 'style',
  RecalculateStyles: 'style',
  Layout: 'layout',
  'LocalFrameView::layout': 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  PaintImage: 'paint',
  'Document::updateStyleAndLayoutTree': 'style',
  UpdateLayer: 'compositing',
  UpdateLayerTree: 'compositing',
  Layerize: 'compositing',
  CompositeLayers: 'compositing',
  Commit: 'compositing',
  'ProxyMain::BeginMainFrame::commit': 'compositing',
  MinorGC: 'GC',
  MajorGC: 'GC',
  'V8.GC_SCAVENGER': 'GC',
  'V8.GC_MARK_COMPACTOR': 'GC',
  'V8.GCScavenger': 'GC',
  'V8.GCIncrementalMarking': 'GC',
  'V8.GCFinalizeMC': 'GC',
  'V8.GC_MC_BACKGROUND_EVACUATE_COPY': 'GC',
  BlinkGC: 'GC',
  'BlinkGC.AtomicPhase': 'GC',
  'CppGC.AtomicMark': 'GC',
  'CppGC.IncrementalMark': 'GC',
};

function groupOf(name: string): TraceGroup {
  const direct = GROUP_OF[name];
  if (direct !== undefined) return direct;
  if (/GC|Scavenge|MarkCompact/i.test(name)) return 'GC';
  return 'other';
}

/** Self times on the main thread of the renderer that set the marks, between `startMark` and `endMark` (+ `tailMs`). */
export function traceBreakdown(trace: Buffer, startMark: string, endMark: string, tailMs: number): TraceBreakdown {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const start = events.find((e) => e.name === startMark && e.cat?.includes('user_timing'));
  const end = events.find((e) => e.name === endMark && e.cat?.includes('user_timing'));
  if (start === undefined || end === undefined) throw new Error(`the trace has no ${startMark} / ${endMark} marks`);
  const mainThread = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === start.pid && e.args?.name === 'CrRendererMain',
  );
  const tid = mainThread?.tid ?? start.tid;
  const from = start.ts;
  const to = end.ts + tailMs * 1000;
  // Complete events of that thread, outermost first; self time = duration minus direct children.
  const slices = events
    .filter((e) => e.pid === start.pid && e.tid === tid && e.ph === 'X' && e.dur !== undefined && e.dur > 0)
    .filter((e) => e.ts >= from && e.ts + e.dur! <= to)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { end: number; name: string; children: number; dur: number }[] = [];
  const close = (upTo: number) => {
    while (stack.length > 0 && stack.at(-1)!.end <= upTo) {
      const done = stack.pop()!;
      self.set(done.name, (self.get(done.name) ?? 0) + Math.max(0, done.dur - done.children));
      if (stack.length > 0) stack.at(-1)!.children += done.dur;
    }
  };
  for (const slice of slices) {
    close(slice.ts);
    stack.push({ end: slice.ts + slice.dur!, name: slice.name, children: 0, dur: slice.dur! });
  }
  close(Number.POSITIVE_INFINITY);
  const groups = Object.fromEntries(TRACE_GROUPS.map((group) => [group, 0])) as Record<TraceGroup, number>;
  for (const [name, us] of self) groups[groupOf(name)] += us / 1000;
  const top = [...self]
    .map(([name, us]): [string, number] => [name, us / 1000])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8);
  return { groups, top, windowMs: (to - from) / 1000 };
}
