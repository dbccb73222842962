/**
 * What the page bench records inside Chromium, installed before the page's own scripts run (an init
 * script comes through the DevTools protocol, so the page's CSP does not apply to it): when each body
 * read of the stream resolved, every animation frame, the cost of each of the page's own frame
 * callbacks (its paints), DOM mutations of the conversation, long tasks, long animation frames and
 * the Event Timing entries of keystrokes. Plain JavaScript in a string: it runs as is in the page.
 */
export const PROBE_SCRIPT = `(() => {
  const probe = { reads: [], doneRead: 0, frames: [], updates: [], mutations: [], removedAtEnd: 0, phaseDone: 0,
    longTasks: [], longFrames: [], keys: [] };
  window.__probe = probe;
  const decoder = new TextDecoder();
  const read = ReadableStreamDefaultReader.prototype.read;
  ReadableStreamDefaultReader.prototype.read = function () {
    return read.call(this).then((result) => {
      if (!result.done && result.value && result.value.byteLength > 0) {
        const now = performance.now();
        const text = decoder.decode(result.value);
        if (text.includes('event: text')) probe.reads.push(now);
        if (text.includes('event: done')) probe.doneRead = now;
      }
      return result;
    });
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => raf((time) => {
    const start = performance.now();
    callback(time);
    probe.updates.push([start, performance.now() - start]);
  });
  const tick = (time) => { probe.frames.push(time); raf(tick); };
  raf(tick);
  new PerformanceObserver((list) => { for (const e of list.getEntries()) probe.longTasks.push([e.startTime, e.duration]); })
    .observe({ type: 'longtask', buffered: true });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) probe.longFrames.push([e.startTime, e.duration]); })
      .observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'keydown' || e.name === 'keypress' || e.name === 'input') probe.keys.push(e.duration);
  }).observe({ type: 'event', buffered: true, durationThreshold: 16 });
  addEventListener('DOMContentLoaded', () => {
    new MutationObserver((records) => {
      const now = performance.now();
      for (const record of records) {
        if (record.type === 'attributes') {
          if (record.target.dataset.phase === 'done' && probe.phaseDone === 0) probe.phaseDone = now;
          continue;
        }
        if (record.target.closest && record.target.closest('.answer')) {
          probe.mutations.push(now);
          if (probe.doneRead > 0) probe.removedAtEnd += record.removedNodes.length;
        }
      }
    }).observe(document.getElementById('messages'), { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-phase'] });
  });
})();`;

export interface ProbeData {
  reads: number[];
  doneRead: number;
  frames: number[];
  updates: [start: number, duration: number][];
  mutations: number[];
  removedAtEnd: number;
  phaseDone: number;
  longTasks: [start: number, duration: number][];
  longFrames: [start: number, duration: number][];
  keys: number[];
}
