/**
 * The emulator's request log tells the truth about how each upstream request ended (issue 14,
 * defect 6), since the fault matrix relies on it to prove that a consumer's exit closed upstream: a
 * stream that was stalled and then completed is `completed` (the fault is still recorded), and a
 * client that leaves during a slow first byte is `client-aborted`, never `pending` forever.
 */
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { rejection, useEmulatorClient } from '../client/emulator-harness.js';

const rig = useEmulatorClient();

describe('request log outcomes', () => {
  it('a stall that then completes is logged completed, with the stall recorded', async () => {
    rig.emu.faults.add({ fault: { kind: 'stall', afterChunks: 3, ms: 100 } });
    const result = await rig.client.invokeStream({ prompt: 'Hello there', maxTokens: 60 }).finalResult();
    expect(result.stopReason).not.toBe('other');
    const entry = await rig.emu.requestLog.waitFor((e) => e.outcome !== 'pending');
    expect(entry).toMatchObject({ outcome: 'completed', fault: 'stall' });
  });

  it('a client leaving during a slow first byte is logged client-aborted at once, not when the wait ends', async () => {
    rig.emu.faults.add({ fault: { kind: 'slow-first-byte', ms: 30_000 } });
    const controller = new AbortController();
    const stream = rig.client.invokeStream({ prompt: 'Hello there', maxTokens: 60, signal: controller.signal });
    const settled = rejection(stream.finalResult());
    setTimeout(() => controller.abort(), 50);
    expect(await settled).toBeInstanceOf(AbortError);
    // Well before the 30 s wait would end.
    const entry = await rig.emu.requestLog.waitFor((e) => e.outcome !== 'pending', 10_000);
    expect(entry).toMatchObject({ outcome: 'client-aborted', chunksSent: 0 });
  });
});
