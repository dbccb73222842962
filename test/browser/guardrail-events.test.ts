/**
 * The browser client with the server's guardrail, against the real server and emulator: the `guardrail`
 * event is typed, the snapshot keeps the verdict (input blocked; output withdrawn), and `done` carries it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChat } from '../../src/browser/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { collect, startHarness, type Harness } from './browser-harness.js';

let emu: Emulator;
let h: Harness;
beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    speed: 'instant',
    guardrails: [{ id: 'browsergr', blockedWords: ['forbidden'] }],
    scripts: [{ match: { prompt: 'the legend' }, answer: { text: 'The forbidden city stood for ages.' } }],
  });
  h = await startHarness({ guardrail: { id: 'browsergr', version: 'DRAFT' } }, emu);
});
afterAll(async () => {
  await h.close();
  await emu.close();
});

describe('browser client: guardrail events', () => {
  it('a blocked input: the typed event, the snapshot verdict and done', async () => {
    const stream = streamChat({ baseUrl: h.url, messages: [{ role: 'user', content: 'Something forbidden?' }] });
    const events = await collect(stream);
    const verdict = { action: 'intervened', phase: 'input', withdrawsStreamedText: false };
    expect(events).toContainEqual({ type: 'guardrail', ...verdict });
    expect(events.at(-1)).toMatchObject({ type: 'done', stopReason: 'guardrail_intervened', guardrail: verdict });
    expect(stream.snapshot.guardrail).toEqual(verdict);
    expect(stream.snapshot.state.phase).toBe('done');
  });

  it('withdrawn output: the verdict says the streamed text is taken back', async () => {
    const stream = streamChat({ baseUrl: h.url, messages: [{ role: 'user', content: 'Tell the legend.' }] });
    const final = await stream.finished;
    expect(final.text).toContain('The');
    expect(final.guardrail).toEqual({ action: 'intervened', phase: 'output', withdrawsStreamedText: true });
  });
});
