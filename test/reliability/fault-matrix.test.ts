/**
 * The fault matrix, end to end (issue 14, suite part 1): one test per cell, generated from the fault
 * table and the consumer list; a new fault or consumer is one row there. Runs in `npm test`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrixCells, runCell, startMatrixRig, type MatrixRig } from './fault-matrix.js';

let rig: MatrixRig;
beforeAll(async () => {
  rig = await startMatrixRig({ page: true });
});
afterAll(async () => {
  await rig.close();
});

describe('fault matrix: every fault x phase x consumer', () => {
  for (const { fault, consumer } of matrixCells({ page: true })) {
    it(`${fault.name} (${fault.phase}) -> ${consumer.name}`, async () => {
      const result = await runCell(rig, fault, consumer);
      expect(result.problems, `outcome: ${result.outcome}`).toEqual([]);
    }, 25_000);
  }
});
