/**
 * The server's guardrail (createServer({ guardrail })) against the emulator's word-list guardrails, over
 * real HTTP: /api/chat streams the verdict as a `guardrail` event (and in `done`), replayable after
 * Last-Event-ID; /v1/chat/completions ends with finish_reason content_filter (the real openai client).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../src/emulator/server.js';
import { CLAUDE, postJson, startHarness, type Harness } from './server-harness.js';
import { parseSse } from './sse-parse.js';

let emu: Emulator;
let h: Harness;
beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    speed: 'instant',
    guardrails: [{ id: 'servergr', blockedWords: ['forbidden'] }],
    scripts: [{ match: { prompt: 'the fable' }, answer: { text: 'A fox found a forbidden grape and ate it.' } }],
  });
  h = await startHarness({ guardrail: { id: 'servergr', version: 'DRAFT', streamProcessingMode: 'async' } }, emu);
});
afterAll(async () => {
  await h.close();
  await emu.close();
});

async function chat(content: string) {
  const response = await postJson(`${h.url}/api/chat`, { messages: [{ role: 'user', content }] });
  expect(response.status).toBe(200);
  return { id: response.headers.get('x-generation-id')!, events: parseSse(await response.text()).events };
}

describe('the server guardrail on /api/chat', () => {
  it('applies to every request: a blocked input is a guardrail event (phase input) and done says so', async () => {
    const { events } = await chat('Say something forbidden.');
    const verdict = events.find((event) => event.event === 'guardrail')!;
    expect(JSON.parse(verdict.data)).toEqual({ action: 'intervened', phase: 'input', withdrawsStreamedText: false });
    const done = JSON.parse(events.at(-1)!.data) as Record<string, unknown>;
    expect(done).toMatchObject({
      stopReason: 'guardrail_intervened',
      guardrail: { action: 'intervened', phase: 'input' },
    });
    expect(emu.requestLog.entries().at(-1)!.guardrail).toMatchObject({ id: 'servergr' });
  });

  it('withdraws streamed output (async mode), and the verdict replays after Last-Event-ID', async () => {
    const { id, events } = await chat('Tell me the fable.');
    const at = events.findIndex((event) => event.event === 'guardrail');
    expect(events.slice(0, at).some((event) => event.event === 'text')).toBe(true);
    expect(JSON.parse(events[at]!.data)).toEqual({
      action: 'intervened',
      phase: 'output',
      withdrawsStreamedText: true,
    });
    const replay = await fetch(`${h.url}/api/generations/${id}/events`, {
      headers: { 'last-event-id': events[at - 1]!.id! },
    });
    expect(parseSse(await replay.text()).events).toEqual(events.slice(at));
  });

  it('a request cannot switch the guardrail off (no such field)', async () => {
    const response = await postJson(`${h.url}/api/chat`, {
      messages: [{ role: 'user', content: 'hi' }],
      guardrail: null,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { field: string } }).error.field).toBe('guardrail');
  });
});

describe('the server guardrail on /v1/chat/completions', () => {
  it('ends an intervened answer with finish_reason content_filter, streaming and not', async () => {
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'Tell me the fable.' }];
    const whole = await openai.chat.completions.create({ model: CLAUDE, messages });
    expect(whole.choices[0]!.finish_reason).toBe('content_filter');
    let finish: string | null = null;
    for await (const chunk of await openai.chat.completions.create({ model: CLAUDE, messages, stream: true })) {
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('content_filter');
    const clean = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 20,
    });
    expect(clean.choices[0]!.finish_reason).not.toBe('content_filter');
  });
});
