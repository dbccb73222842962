/**
 * Runs the emulator in a child process so a benchmark measures it (or the code under test) without
 * the two sharing one event loop; the child reports its own CPU time and memory on request.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmulatorOptions } from '../../src/emulator/server.js';

export interface EmulatorProcess {
  url: string;
  /** CPU time (user + system, ms) and RSS (bytes) the child has used so far. */
  usage(): Promise<{ cpuMs: number; rssBytes: number }>;
  close(): Promise<void>;
}

type ChildMessage = { type: 'ready'; url: string } | { type: 'usage'; cpuMs: number; rssBytes: number };

export async function startEmulatorProcess(options: Omit<EmulatorOptions, 'backend'>): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./emulator-child.ts', import.meta.url)),
    [JSON.stringify(options)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  // Each wait takes its listeners off again: a long section asks for usage many times.
  const next = () =>
    new Promise<ChildMessage>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        child.off('exit', onExit);
        resolve(message as ChildMessage);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`emulator child exited with ${code}`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next();
  if (ready.type !== 'ready') throw new Error('emulator child did not start');
  return {
    url: ready.url,
    async usage() {
      child.send('usage');
      const message = await next();
      if (message.type !== 'usage') throw new Error('unexpected message from the emulator child');
      return { cpuMs: message.cpuMs, rssBytes: message.rssBytes };
    },
    close() {
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
