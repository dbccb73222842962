/**
 * Memory per open stream, one fresh child process per driver (run with --expose-gc): the heap and
 * external (Buffer) growth while the emulator holds N streams open, divided by N.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface MemoryJob {
  driver: string;
  url: string;
  streams: number;
}

export interface MemoryReport {
  driver: string;
  streams: number;
  heapPerStream: number;
  externalPerStream: number;
  rssPerStream: number;
  /** Streams that ended (or failed) before the measurement: a valid run has none. */
  endedEarly: number;
}

export function measureMemory(job: MemoryJob): Promise<MemoryReport> {
  const child = fork(fileURLToPath(new URL('./measure-memory-child.ts', import.meta.url)), [JSON.stringify(job)], {
    execArgv: ['--expose-gc', '--no-warnings', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let report: MemoryReport | undefined;
    child.on('message', (message: MemoryReport | { error: string }) => {
      if ('error' in message) reject(new Error(message.error));
      else report = message;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (report !== undefined) resolve(report);
      else reject(new Error(`memory child for ${job.driver} exited with ${code} before reporting`));
    });
  });
}
