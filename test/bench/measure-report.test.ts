/** The client tables: ratios to the raw SDK, verdicts against issue 3's targets, dropped drivers named. */
import { describe, expect, it } from 'vitest';
import { firstMismatch } from '../../bench/support/measure-cpu.js';
import { clientTables, type DriverResults } from '../../bench/support/measure-report.js';

const driver = (name: string, scale: number, problems: string[] = []): DriverResults => ({
  name,
  transport: `${name} over HTTP/2`,
  problems,
  cpuBatched: { msPer1kChunks: 40 * scale, chunksPerStream: 290 },
  cpuAlone: { msPer1kChunks: 60 * scale, chunksPerStream: 290 },
  cpuPerRequestMs: 2 * scale,
  ttft: [600, 610, 620].map((ms) => ms * scale),
  memory: { heapPerStream: 20_000 * scale, externalPerStream: 1_000 * scale, rssPerStream: 50_000 },
});

const setup = { rounds: 3, heldStreams: 500, aloneSpeed: 20 };

describe('clientTables', () => {
  it('divides every figure by the raw SDK and judges ours against the targets', () => {
    const tables = clientTables(
      { drivers: [driver('raw-sdk', 1), driver('ours', 0.2), driver('vercel-ai', 3)], framesPerRead: { batched: 50 } },
      setup,
    );
    const [cpu, ttft, memory, targets] = tables;
    expect(cpu!.rows.map((row) => [row[0], row[2], row[4], row[6]])).toEqual([
      ['raw-sdk', '1.00x', '1.00x', '1.00x'],
      ['ours', '0.20x', '0.20x', '0.20x'],
      ['vercel-ai', '3.00x', '3.00x', '3.00x'],
    ]);
    expect(cpu!.notes).toContain('vercel-ai: vercel-ai over HTTP/2');
    expect(ttft!.rows[1]).toEqual(['ours', 3, 122, 124, '0.20x']);
    expect(memory!.rows[2]![4]).toBe('3.00x');
    expect(targets!.rows.map((row) => row[4])).toEqual(['PASS', 'PASS', 'PASS', 'PASS']);
    expect(targets!.rows[3]!.slice(1, 3)).toEqual(['4.1 vs 20.5 KB', '0.200x']);
  });

  it('fails a target that ours misses, even narrowly', () => {
    const tables = clientTables({ drivers: [driver('raw-sdk', 1), driver('ours', 1.01)], framesPerRead: {} }, setup);
    expect(tables[3]!.rows.map((row) => row[4])).toEqual(['FAIL', 'FAIL', 'FAIL', 'FAIL']);
  });

  it('names a dropped driver and reports its targets as not measured', () => {
    const ours: DriverResults = { name: 'ours', transport: 'HTTP/2', problems: ['answer 3 differs'] };
    const tables = clientTables({ drivers: [driver('raw-sdk', 1), ours], framesPerRead: {} }, setup);
    expect(tables[0]!.notes).toContain('ours NOT MEASURED: answer 3 differs');
    expect(tables[0]!.rows[1]).toEqual(['ours', '-', '-', '-', '-', '-', '-']);
    expect(tables[3]!.rows.map((row) => row[4])).toEqual(Array(4).fill('NOT MEASURED'));
  });
});

describe('firstMismatch', () => {
  it('finds the first differing answer, or a missing one', () => {
    expect(firstMismatch(['a', 'b'], ['a', 'b'])).toBe(-1);
    expect(firstMismatch(['a', 'b'], ['a', 'c'])).toBe(1);
    expect(firstMismatch(['a', 'b'], ['a'])).toBe(1);
  });
});
