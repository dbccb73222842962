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
