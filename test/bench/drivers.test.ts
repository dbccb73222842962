/**
 * Each benchmark driver streams the same answer as the raw SDK from an in-process emulator, so the
 * benchmark measures a peer that really did the work rather than one that failed fast.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASELINE, DRIVERS } from '../../bench/drivers/index.js';
import { BENCH_MODEL, type StreamResult } from '../../bench/drivers/driver.js';
import { createFloorDriver } from '../../bench/support/measure-floor.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';

const PROMPT = 'Tell me story number 7 in 6 sentences.';

let emulator: Emulator;
let baseline: StreamResult;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, speed: 'instant' });
  const driver = DRIVERS[BASELINE]!(emulator.url);
  try {
    baseline = await driver.stream(BENCH_MODEL, PROMPT, 400);
  } finally {
    await driver.close();
  }
});

afterAll(async () => {
  await emulator.close();
});

describe('benchmark drivers', () => {
  it('the raw SDK baseline receives a multi-chunk answer with multi-byte text', () => {
    expect(baseline.chunks).toBeGreaterThan(5);
    expect(baseline.text).toMatch(/[^\p{ASCII}]/u);
  });

  for (const name of Object.keys(DRIVERS)) {
    it(`${name} streams exactly the raw SDK's text, in chunks, through one completed request`, async () => {
      emulator.requestLog.clear();
      const driver = DRIVERS[name]!(emulator.url);
      let firstText = 0;
      try {
        const result = await driver.stream(BENCH_MODEL, PROMPT, 400, { onFirstText: () => firstText++ });
        expect(result.text).toBe(baseline.text);
        expect(result.chunks).toBeGreaterThan(5);
      } finally {
        await driver.close();
      }
      expect(firstText).toBe(1);
      const entries = emulator.requestLog.entries();
      expect(entries).toHaveLength(1);
      expect(entries[0]!.outcome).toBe('completed');
      expect(entries[0]!.chunksSent).toBeGreaterThan(5);
    });
  }

  it('the bytes-only floor counts as many text chunks as the raw SDK delivered', async () => {
    const floor = createFloorDriver(emulator.url);
    try {
      expect((await floor.stream(BENCH_MODEL, PROMPT, 400)).chunks).toBe(baseline.chunks);
    } finally {
      await floor.close();
    }
  });

  it('every driver names its transport', () => {
    for (const factory of Object.values(DRIVERS)) {
      const driver = factory(emulator.url);
      expect(driver.transport).toMatch(/HTTP/);
      void driver.close();
    }
  });
});
