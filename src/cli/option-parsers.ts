/** commander value parsers shared by several commands: each names the value it got when it refuses one. */
import { InvalidArgumentError } from 'commander';
import { parseSpeed, type Speed } from '../emulator/timing.js';

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number from 1, got "${value}"`);
  }
  return parsed;
}

/** An emulator speed: instant, realistic or a multiplier. */
export function speedChoice(value: string): Speed {
  const speed = parseSpeed(value);
  if (speed === undefined) {
    throw new InvalidArgumentError(`expected instant, realistic or a positive number, got "${value}"`);
  }
  return speed;
}
