/**
 * Answers are as private as prompts (issue 14, defect 9): with logPrompts off, a failed stream's log
 * lines carry the partial answer's length, never its text; with logPrompts on they may carry it.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { postJson, startHarness } from './server-harness.js';

const ANSWER = Array.from({ length: 30 }, (_, i) => `OUTPUT-SECRET-${i}`).join(' ');

async function failedStreamsLogged(logPrompts: boolean): Promise<string> {
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  const h = await startHarness({ logger: pino({ level: 'debug' }, sink), logPrompts });
  try {
    h.emu.scripts.add({ answer: { text: ANSWER } });
    const cut = {
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 },
    } as const;
    h.emu.faults.add(cut);
    await (await postJson(`${h.url}/api/chat`, { messages: [{ role: 'user', content: 'Hi' }] })).text();
    h.emu.faults.add(cut);
    await (await postJson(`${h.url}/api/stream-completion`, { prompt: 'Hi' })).text().catch(() => undefined);
    h.emu.faults.add(cut);
    await (
      await postJson(`${h.url}/v1/chat/completions`, {
        model: 'anthropic.claude-3-haiku-20240307-v1:0',
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      })
    ).text();
  } finally {
    await h.close();
  }
  return logs;
}

describe('model output in logs', () => {
  it('with logPrompts off, failed streams are logged with partialChars and no answer text', async () => {
    const logs = await failedStreamsLogged(false);
    expect(logs).toContain('generation failed');
    expect(logs).toMatch(/"partialChars":[1-9]/);
    expect(logs).not.toContain('OUTPUT-SECRET');
  });

  it('with logPrompts on, the partial answer may be logged', async () => {
    const logs = await failedStreamsLogged(true);
    expect(logs).toContain('OUTPUT-SECRET');
  });
});
