/**
 * A forced full garbage collection, with or without `--expose-gc`: memory and CPU measurements start
 * from a collected heap so one driver's garbage is not charged to the next.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let cached: (() => void) | undefined;

export function forceGc(): void {
  if (cached === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed !== undefined) cached = exposed;
    else {
      // Exposing gc at run time makes it available to contexts created afterwards.
      setFlagsFromString('--expose-gc');
      cached = runInNewContext('gc') as () => void;
    }
  }
  cached();
}

/**
 * How long the CPU measurement waits after the forced GC. V8 sweeps the collected heap concurrently on
 * its worker threads after gc() returns: measured at once, a batch was billed the sweeping of the
 * previous driver's garbage (process.cpuUsage counts every thread), ~1.2 ms per 1,000 chunks for the
 * bytes-only floor right after the AI SDK. Sweeping these heaps takes a few milliseconds; 50 ms is ample.
 */
const SWEEP_SETTLE_MS = 50;

/** A forced full GC whose concurrent sweeping has finished: nothing of earlier work runs on during a measurement. */
export async function forceGcAndSettle(): Promise<void> {
  forceGc();
  await new Promise((resolve) => setTimeout(resolve, SWEEP_SETTLE_MS));
}
