/**
 * Client CPU for a batch of streams: process.cpuUsage() of this process (the emulator runs in a child)
 * around a fixed workload, run with a fixed concurrency. Texts are returned so the caller can check
 * every driver really received the same answers.
 */
import type { BenchDriver } from '../drivers/driver.js';
import { forceGcAndSettle } from './measure-gc.js';

export interface Workload {
  modelId: string;
  prompts: readonly string[];
  maxTokens: number;
  concurrency: number;
}

export interface BatchResult {
  cpuMs: number;
  wallMs: number;
  chunks: number;
  texts: string[];
}

export async function runBatch(driver: BenchDriver, workload: Workload): Promise<BatchResult> {
  const texts: string[] = new Array<string>(workload.prompts.length);
  let chunks = 0;
  let next = 0;
  const worker = async () => {
    while (next < workload.prompts.length) {
      const index = next++;
      const result = await driver.stream(workload.modelId, workload.prompts[index]!, workload.maxTokens);
      texts[index] = result.text;
      chunks += result.chunks;
    }
  };
  await forceGcAndSettle();
  const started = performance.now();
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: workload.concurrency }, worker));
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1_000, wallMs: performance.now() - started, chunks, texts };
}

/** The first index where two runs' texts differ, or -1 when every answer matches. */
export function firstMismatch(expected: readonly string[], actual: readonly string[]): number {
  for (let i = 0; i < expected.length; i++) if (expected[i] !== actual[i]) return i;
  return expected.length === actual.length ? -1 : expected.length;
}
