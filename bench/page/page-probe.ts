/**
 * What the page bench records inside Chromium, installed before the page's own scripts run (an init
 * script comes through the DevTools protocol, so the page's CSP does not apply to it). Plain JavaScript
 * in a string: it runs as is in the page.
 *
 * - reads: when each body read of the answer's event stream resolved, with how many `text` events it
 *   carried. The browser client parses a read and hands its events to the page in the same task, so this
 *   is when those text events arrived.
 * - frames: every animation frame's start (the rAF timestamp), and when that frame's rendering was done
 *   (a message posted from the frame's first callback runs as the next task, after style, layout and
 *   paint): "on screen" below means the end of the first frame that changed the answer.
 * - callbacks: the page's own frame callbacks (the painter: renderer plus auto-scroll, whose scroll
 *   position read forces the layout); renders and finishes come from the timed renderer in the build.
 * - mutations of the answer, the moment the answer's `data-phase` turned `done`, how many nodes of the
 *   answer were removed after the `done` event arrived, and how many of its blocks at that moment were
 *   still there at the end (a full re-render replaces them all; ours may replace the open tail only).
 * - long tasks, long animation frames (when this Chromium has them), keystrokes: each keydown's time to
 *   the end of the next frame, and the Event Timing entries of 16 ms or more.
 * - user-timing marks at the first text event and at the final DOM, which bound a trace's window.
 */
export const PROBE_SCRIPT = `(() => {
  const probe = { reads: [], doneRead: 0, frames: [], frameEnds: [], callbacks: [], renders: [], finishes: [],
    mutations: [], removedAtEnd: 0, blocksAtDone: 0, blocksKept: 0, phaseDone: 0, longTasks: [], longFrames: [], loafSupported: false,
    keys: [], eventTimings: [] };
  window.__probe = probe;
  const decoder = new TextDecoder();
  let carry = '';
  let blocksAtDone = [];
  const count = (text, from, needle) => {
    let n = 0;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) if (i + needle.length > from) n++;
    return n;
  };
  const read = ReadableStreamDefaultReader.prototype.read;
  ReadableStreamDefaultReader.prototype.read = function () {
    return read.call(this).then((result) => {
      if (!result.done && result.value instanceof Uint8Array && result.value.byteLength > 0) {
        const now = performance.now();
        const text = carry + decoder.decode(result.value, { stream: true });
        const texts = count(text, carry.length, '\\nevent: text\\n');
        if (texts > 0 && probe.reads.length === 0) performance.mark('bench-first-text');
        if (texts > 0) probe.reads.push([now, texts]);
        if (count(text, carry.length, '\\nevent: done\\n') > 0) {
          probe.doneRead = now;
          const answer = document.querySelector('li.message.assistant:last-child .answer');
          blocksAtDone = answer ? [...answer.children] : [];
          probe.blocksAtDone = blocksAtDone.length;
        }
        carry = text.slice(-16);
      }
      return result;
    });
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((time) => {
    const start = performance.now();
    callback(time);
    probe.callbacks.push([start, performance.now() - start]);
  });
  const channel = new MessageChannel();
  let pendingKeys = [];
  channel.port1.onmessage = () => {
    const now = performance.now();
    probe.frameEnds.push(now);
    for (const stamp of pendingKeys) probe.keys.push([stamp, now - stamp]);
    pendingKeys = [];
  };
  const tick = (time) => {
    probe.frames.push(time);
    channel.port2.postMessage(0);
    raf(tick);
  };
  raf(tick);
  addEventListener('keydown', (event) => pendingKeys.push(event.timeStamp), true);
  new PerformanceObserver((list) => { for (const e of list.getEntries()) probe.longTasks.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    probe.loafSupported = true;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const end = e.startTime + e.duration;
        const scripts = [...e.scripts].sort((a, b) => b.duration - a.duration);
        const top = scripts[0] ? (scripts[0].invoker || scripts[0].invokerType) + ' ' + Math.round(scripts[0].duration) + ' ms' : '';
        probe.longFrames.push([e.startTime, e.duration, scripts.reduce((sum, s) => sum + s.duration, 0),
          e.renderStart > 0 ? end - e.renderStart : 0, e.styleAndLayoutStart > 0 ? end - e.styleAndLayoutStart : 0, top]);
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  }
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (e.name === 'keydown' || e.name === 'keypress' || e.name === 'keyup' || e.name === 'input')
        probe.eventTimings.push([e.startTime, e.duration, e.name, e.processingStart - e.startTime, e.processingEnd - e.processingStart]);
  }).observe({ type: 'event', buffered: true, durationThreshold: 16 });
  addEventListener('DOMContentLoaded', () => {
    new MutationObserver((records) => {
      const now = performance.now();
      let changed = false;
      for (const record of records) {
        if (record.type === 'attributes') {
          if (record.target.dataset.phase === 'done' && probe.phaseDone === 0) {
            probe.phaseDone = now;
            probe.blocksKept = blocksAtDone.filter((block) => block.isConnected).length;
            performance.mark('bench-final-dom');
          }
          continue;
        }
        const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
        if (node && node.closest('.answer')) {
          changed = true;
          if (probe.doneRead > 0) probe.removedAtEnd += record.removedNodes.length;
        }
      }
      if (changed) probe.mutations.push(now);
    }).observe(document.getElementById('messages'), { subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ['data-phase'] });
  });
})();`;

export interface ProbeData {
  reads: [time: number, textEvents: number][];
  doneRead: number;
  frames: number[];
  frameEnds: number[];
  callbacks: [start: number, duration: number][];
  renders: [start: number, duration: number][];
  finishes: [start: number, duration: number][];
  mutations: number[];
  removedAtEnd: number;
  /** The answer's top-level blocks when `done` arrived, and how many of them were still in the DOM at the end. */
  blocksAtDone: number;
  blocksKept: number;
  phaseDone: number;
  longTasks: [start: number, duration: number][];
  /** Long animation frames: scripts' time, rendering (from renderStart), style and layout, the longest script. */
  longFrames: [start: number, duration: number, scripts: number, render: number, styleLayout: number, top: string][];
  loafSupported: boolean;
  keys: [start: number, toNextFrameEnd: number][];
  eventTimings: [start: number, duration: number, name: string, inputDelay: number, processing: number][];
}
