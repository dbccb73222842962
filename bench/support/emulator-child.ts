/** The child side of emulator-process.ts: start the emulator, answer usage requests, exit on SIGTERM. */
import { startEmulator, type EmulatorOptions } from '../../src/emulator/server.js';

const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
const emulator = await startEmulator(options);
process.send?.({ type: 'ready', url: emulator.url });
process.on('message', () => {
  const cpu = process.cpuUsage();
  process.send?.({ type: 'usage', cpuMs: (cpu.user + cpu.system) / 1_000, rssBytes: process.memoryUsage().rss });
});
process.once('SIGTERM', () => {
  void emulator.close().then(() => process.exit(0));
});
