/**
 * The emulator's admin API, for a benchmark that keeps ONE emulator process and changes its pace or
 * scripts faults between measurements.
 */
import type { Speed } from '../../src/emulator/timing.js';

async function admin(url: string, method: string, path: string, body?: unknown): Promise<void> {
  const response = await fetch(new URL(path, url), {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`emulator admin ${method} ${path}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

export function setEmulatorSpeed(url: string, speed: Speed): Promise<void> {
  return admin(url, 'PUT', '/_emulator/config', { speed });
}

/** Holds the next `times` streams of `modelId` open after `afterChunks` chunks, for `ms`. */
export function stallStreams(url: string, modelId: string, times: number, afterChunks: number, ms: number) {
  return admin(url, 'POST', '/_emulator/faults', {
    fault: { kind: 'stall', afterChunks, ms },
    times,
    match: { modelId },
  });
}

export function clearEmulatorFaults(url: string): Promise<void> {
  return admin(url, 'DELETE', '/_emulator/faults');
}

export async function clearEmulatorRequestLog(url: string): Promise<void> {
  await admin(url, 'DELETE', '/_emulator/requests');
}
