import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError, TimeoutError, ValidationError } from '../../src/errors.js';
import { AttemptWatchdog, CallScope, DEFAULT_TIMEOUTS, resolveTimeouts } from '../../src/client/timeouts.js';
import { countedSignal } from './counted-signal.js';

describe('resolveTimeouts', () => {
  it('merges defaults, client and request policies', () => {
    expect(resolveTimeouts()).toEqual(DEFAULT_TIMEOUTS);
    expect(resolveTimeouts({ totalMs: 5 }, { firstChunkMs: 7 })).toEqual({
      ...DEFAULT_TIMEOUTS,
      totalMs: 5,
      firstChunkMs: 7,
    });
    expect(() => resolveTimeouts({ betweenChunksMs: 0 })).toThrow(ValidationError);
  });
});

describe('CallScope and AttemptWatchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forwards the caller abort as an AbortError and removes its listener on dispose', () => {
    const { controller, signal, counts } = countedSignal();
    const scope = new CallScope(signal, 1000);
    expect(counts.added).toBe(0);
    scope.start();
    expect(counts.added).toBe(1);
    controller.abort('user reason');
    expect(scope.signal.reason).toBeInstanceOf(AbortError);
    expect((scope.signal.reason as AbortError).cause).toBe('user reason');
    scope.dispose();
    expect(counts.removed).toBe(1);
  });

  it('fires the total timeout, and a disposed scope fires nothing', () => {
    const scope = new CallScope(undefined, 1000);
    scope.start();
    vi.advanceTimersByTime(999);
    expect(scope.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(scope.signal.reason).toBeInstanceOf(TimeoutError);
    expect((scope.signal.reason as TimeoutError).timeout).toBe('total');

    const quiet = new CallScope(undefined, 1000);
    quiet.start();
    quiet.dispose();
    vi.advanceTimersByTime(5000);
    expect(quiet.signal.aborted).toBe(false);
  });

  it('fires the first-chunk timeout, then the between-chunks one, only while waiting upstream', () => {
    const scope = new CallScope(undefined, 100_000);
    const watchdog = new AttemptWatchdog(scope.signal, { firstChunkMs: 100, betweenChunksMs: 50, totalMs: 100_000 });
    vi.advanceTimersByTime(60);
    watchdog.waitEnd();
    watchdog.contentStarted();
    vi.advanceTimersByTime(500); // the consumer holds the event: no upstream silence
    expect(watchdog.signal.aborted).toBe(false);
    watchdog.waitStart();
    vi.advanceTimersByTime(49);
    expect(watchdog.signal.aborted).toBe(false);
    vi.advanceTimersByTime(60);
    expect((watchdog.signal.reason as TimeoutError).timeout).toBe('betweenChunks');
    expect(watchdog.timedOut).toBe(true);
    watchdog.dispose();
    scope.dispose();

    const first = new AttemptWatchdog(new AbortController().signal, {
      firstChunkMs: 100,
      betweenChunksMs: 50,
      totalMs: 1,
    });
    vi.advanceTimersByTime(100);
    expect((first.signal.reason as TimeoutError).timeout).toBe('firstChunk');
    expect((first.signal.reason as TimeoutError).message).toMatch(/first-chunk timeout/);
    first.dispose();
  });

  it('follows the call signal and leaves no listener behind', () => {
    const { controller, signal, counts } = countedSignal();
    const watchdog = new AttemptWatchdog(signal, DEFAULT_TIMEOUTS);
    const reason = new AbortError('stop');
    controller.abort(reason);
    expect(watchdog.signal.reason).toBe(reason);
    watchdog.dispose();
    expect(counts).toEqual({ added: 1, removed: 1 });
  });
});
