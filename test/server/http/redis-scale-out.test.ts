/**
 * Two server processes sharing one Redis: A runs in a child process, B in this one (the emulator is
 * here too, so its request log shows what A did upstream). A browser that reconnects to the other one
 * resumes without loss, a viewer on B follows a generation running on A, and a cancel sent to B
 * stops it on A.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../src/emulator/server.js';
import { postJson, startHarness, type Harness } from './server-harness.js';
import { SseReader, type ParsedSse } from './sse-parse.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let emu: Emulator;
let child: ChildProcess;
let a: { url: string };
let b: Harness;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, speed: 'instant' });
  child = fork(
    fileURLToPath(new URL('./server-child.ts', import.meta.url)),
    [JSON.stringify({ emulatorUrl: emu.url, redisUrl: REDIS_URL })],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  a = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { url: string }));
    child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
  });
  b = await startHarness({ redisUrl: REDIS_URL }, emu);
});
afterAll(async () => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await b.close();
  await emu.close();
});

const body = (extra: Record<string, unknown>) => ({
  messages: [{ role: 'user', content: 'Tell a long story about two lighthouses.' }],
  maxTokens: 2000,
  ...extra,
});
const texts = (n: number) => (events: ParsedSse[]) => events.filter((e) => e.event === 'text').length >= n;

describe('scale-out over Redis', () => {
  it('a browser that reconnects to the other server resumes without loss', async () => {
    emu.setSpeed(4);
    const first = new SseReader(await postJson(`${a.url}/api/chat`, body({ detached: true, maxTokens: 300 })));
    const seen = await first.readUntil(texts(3));
    await first.cancel();
    const id = (JSON.parse(seen[0]!.data) as { id: string }).id;
    const resumed = await new SseReader(
      await fetch(`${b.url}/api/generations/${id}/events`, { headers: { 'last-event-id': seen.at(-1)!.id! } }),
    ).readAll();
    const whole = await new SseReader(await fetch(`${b.url}/api/generations/${id}/events`)).readAll();
    expect(whole.at(-1)!.event).toBe('done');
    expect([...seen, ...resumed]).toEqual(whole);
  });

  it('a viewer on B follows a generation running on A, and a cancel sent to B stops it on A', async () => {
    emu.setSpeed('realistic');
    emu.requestLog.clear();
    const starter = new SseReader(await postJson(`${a.url}/api/chat`, body({})));
    const started = await starter.readUntil(texts(1));
    const id = (JSON.parse(started[0]!.data) as { id: string }).id;
    const viewer = new SseReader(await fetch(`${b.url}/api/generations/${id}/events`));
    await viewer.readUntil(texts(2));
    expect((await postJson(`${b.url}/api/generations/${id}/cancel`, {})).status).toBe(202);
    const [s, v] = await Promise.all([starter.readAll(), viewer.readAll()]);
    expect(s.at(-1)!.event).toBe('cancelled');
    expect(v).toEqual(s);
    const entry = await emu.requestLog.waitFor((e) => e.outcome !== 'pending', 5_000);
    expect(entry.outcome).toBe('client-aborted');
    emu.setSpeed('instant');
  });
});
