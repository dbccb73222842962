/**
 * The heartbeat promise (issue 14, defect 2): a `: ping` after at most heartbeatMs of silence, counted
 * from the last write. The old interval skipped a tick whenever anything had been written since the
 * previous one, so the first ping could come only after ~2 x heartbeatMs and a proxy with an idle
 * timeout of heartbeatMs x 2 could drop the stream. Fake timers make the times exact.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SseWriter } from '../../../src/server/http/sse-writer.js';

/** The part of a ServerResponse the writer uses, recording what was written and when. */
function recordingResponse() {
  const writes: { at: number; text: string }[] = [];
  const res = {
    destroyed: false,
    writableEnded: false,
    writeHead: () => res,
    flushHeaders: () => undefined,
    write: (text: string) => (writes.push({ at: Date.now(), text }), true),
    end: () => {
      res.writableEnded = true;
    },
  };
  return { res: res as unknown as ServerResponse, writes };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SseWriter heartbeats', () => {
  it('pings exactly heartbeatMs after the last write, also when an event came mid-interval', () => {
    const { res, writes } = recordingResponse();
    const writer = new SseWriter(res, { heartbeatMs: 1_000 });
    vi.advanceTimersByTime(600);
    writer.send('1', 'text', '{"text":"hi"}');
    vi.advanceTimersByTime(999); // t = 1 599: 999 ms of silence
    expect(writes.map((w) => w.text)).not.toContain(': ping\n\n');
    vi.advanceTimersByTime(1); // t = 1 600: heartbeatMs of silence
    expect(writes.filter((w) => w.text === ': ping\n\n').map((w) => w.at)).toEqual([1_600]);
    vi.advanceTimersByTime(1_000);
    expect(writes.filter((w) => w.text === ': ping\n\n').map((w) => w.at)).toEqual([1_600, 2_600]);
    writer.end();
  });

  it('never leaves more than heartbeatMs of silence, whatever the pattern of writes', () => {
    const { res, writes } = recordingResponse();
    const writer = new SseWriter(res, { heartbeatMs: 500 });
    // Writes at irregular times, then a long stall.
    for (const gap of [100, 450, 499, 30, 260]) {
      vi.advanceTimersByTime(gap);
      writer.send('x', 'text', '{}');
    }
    vi.advanceTimersByTime(5_000);
    writer.end();
    const times = [0, ...writes.map((w) => w.at)];
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(500);
  });

  it('stops pinging once ended', () => {
    const { res, writes } = recordingResponse();
    const writer = new SseWriter(res, { heartbeatMs: 100 });
    writer.end();
    vi.advanceTimersByTime(1_000);
    expect(writes).toEqual([]);
  });
});
