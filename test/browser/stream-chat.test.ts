/**
 * streamChat against the real server and emulator over HTTP: the events and the snapshot, HTTP errors
 * as typed error events, a mid-stream failure and its continuation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  isTerminalEvent,
  listModels,
  streamChat,
  type ChatEvent,
  type ChatSnapshot,
  type ErrorEvent,
} from '../../src/browser/index.js';
import { CLAUDE, collect, messages, serverAnswer, startHarness, textOf, type Harness } from './browser-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.emu.faults.clear();
  h.emu.requestLog.clear();
});

describe('streamChat', () => {
  it('streams start, text, usage and done; the snapshot holds the answer the server sends', async () => {
    const body = { messages, maxTokens: 80 };
    const reference = await serverAnswer(h.url, body);
    const seen: { event: ChatEvent; phase: string }[] = [];
    const stream = streamChat({
      baseUrl: h.url,
      ...body,
      onEvent: (event, snapshot) => seen.push({ event, phase: snapshot.state.phase }),
    });
    // Eager: the request is on its way before anyone iterates.
    expect(stream.snapshot.state).toEqual({ phase: 'submitting' });
    const events = await collect(stream);
    const final = await stream.finished;

    expect(events).toEqual(seen.map((s) => s.event)); // callbacks and the iterator see the same events
    expect(events[0]).toEqual({ type: 'start', id: stream.generationId, model: CLAUDE });
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type !== 'text')).toEqual(['start', 'usage', 'done']);
    expect(types.filter((type) => type === 'text').length).toBe(final.textEvents);
    expect(final.textEvents).toBeGreaterThan(1);
    expect(textOf(events)).toBe(final.text);
    expect(final.text).toBe(reference.text); // the emulator is deterministic
    expect(final.text.length).toBeGreaterThan(50);

    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', stopReason: 'max_tokens', usage: { outputTokens: 80 } });
    expect(done?.type === 'done' && done.metrics).toEqual(
      expect.objectContaining({ chunkCount: expect.any(Number), totalTimeMs: expect.any(Number) }),
    );
    expect(final).toMatchObject({
      generationId: expect.stringMatching(/^[\w-]{22}$/),
      model: CLAUDE,
      reasoning: '',
      state: { phase: 'done' },
      stopReason: 'max_tokens',
      usage: { inputTokens: expect.any(Number), outputTokens: 80, source: 'bedrock' },
      lastEventId: String(events.length),
    });
    expect(final.firstTokenAt).toBeGreaterThanOrEqual(final.startedAt);
    expect(final.endedAt).toBeGreaterThanOrEqual(final.firstTokenAt!);

    // The state machine walked submitting -> waiting -> streaming -> done.
    const phases = ['submitting', ...seen.map((s) => s.phase)].filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['submitting', 'waiting', 'streaming', 'done']);
  });

  it('streams reasoning apart from the text (DeepSeek R1)', async () => {
    const states: ChatSnapshot['state'][] = [];
    const stream = streamChat({
      baseUrl: h.url,
      messages,
      model: 'us.deepseek.r1-v1:0',
      maxTokens: 120,
      onEvent: (_event, snapshot) => states.push(snapshot.state),
    });
    const final = await stream.finished;
    expect(final.state.phase).toBe('done');
    expect(final.reasoning.length).toBeGreaterThan(0);
    expect(final.text.length).toBeGreaterThan(0);
    const details = states.flatMap((s) => (s.phase === 'streaming' ? [s.detail] : []));
    expect(details[0]).toBe('reasoning');
    expect(details.at(-1)).toBe('text');
  });

  it('a 400 becomes an error event with the status, the field and the fix', async () => {
    const stream = streamChat({ baseUrl: h.url, messages, temperature: 5 });
    const events = await collect(stream);
    expect(events).toHaveLength(1);
    const error = events[0] as ErrorEvent;
    expect(error).toMatchObject({
      type: 'error',
      status: 400,
      errorType: 'invalid_request',
      field: 'temperature',
      retryable: false,
      partialText: '',
    });
    expect(error.fix).toMatch(/temperature/);
    expect((await stream.finished).state).toEqual({ phase: 'error', retryable: false });
    expect(stream.generationId).toBeUndefined();
  });

  it('a network failure before any response is a retryable NetworkError', async () => {
    const stream = streamChat({ baseUrl: 'http://127.0.0.1:1', messages });
    const events = await collect(stream);
    expect(events).toEqual([expect.objectContaining({ type: 'error', errorType: 'NetworkError', retryable: true })]);
  });

  it('Bedrock throttling on every attempt: a 429 before the stream, with Retry-After as retryAfterMs', async () => {
    h.emu.faults.add({
      fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 3 },
      times: 'always',
    });
    const events = await collect(streamChat({ baseUrl: h.url, messages }));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'error',
        status: 429,
        errorType: 'ThrottlingError',
        retryable: true,
        retryAfterMs: 3000,
      }),
    ]);
    expect(h.emu.requestLog.entries().length).toBeGreaterThan(1); // the server retried before giving up
  });

  it('with headers sent at once, the retries stream as retry events (waiting/throttled), then the error', async () => {
    const eager = await startHarness({ headersDelayMs: 0 });
    try {
      eager.emu.faults.add({
        fault: { kind: 'error', errorType: 'ThrottlingException', retryAfterSeconds: 3 },
        times: 'always',
      });
      const states: ChatSnapshot['state'][] = [];
      const stream = streamChat({
        baseUrl: eager.url,
        messages,
        onEvent: (_event, snapshot) => states.push(snapshot.state),
      });
      const events = await collect(stream);
      const types = events.map((event) => event.type);
      expect(types[0]).toBe('start');
      expect(types.slice(1, -1).length).toBeGreaterThan(0);
      expect(new Set(types.slice(1, -1))).toEqual(new Set(['retry']));
      expect(events[1]).toMatchObject({ type: 'retry', attempt: 1, error: 'ThrottlingError' });
      expect(states[1]).toEqual({ phase: 'waiting', detail: 'throttled' });
      expect(events.at(-1)).toMatchObject({
        type: 'error',
        errorType: 'ThrottlingError',
        retryable: true,
        retryAfterMs: 3000,
        partialText: '',
      });
      expect(stream.snapshot.state).toEqual({ phase: 'error', retryable: true });
    } finally {
      await eager.close();
    }
  });

  it('a mid-stream failure keeps the partial text; continueFrom finishes the same answer', async () => {
    const body = { messages, maxTokens: 150 };
    const whole = await serverAnswer(h.url, body);
    h.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 4 },
    });
    const broken = streamChat({ baseUrl: h.url, ...body });
    const events = await collect(broken);
    const error = events.at(-1) as ErrorEvent;
    expect(error.type).toBe('error');
    expect(error.status).toBeUndefined();
    expect(error.partialText).toBe(textOf(events));
    expect(error.partialText.length).toBeGreaterThan(0);
    expect(whole.text.startsWith(error.partialText)).toBe(true);
    expect(broken.snapshot).toMatchObject({ text: error.partialText, error, state: { phase: 'error' } });

    const continued = streamChat({ baseUrl: h.url, ...body, continueFrom: error.partialText });
    const prefill = error.partialText.trimEnd();
    expect(continued.snapshot.text).toBe(prefill);
    const more = await collect(continued);
    const final = await continued.finished;
    expect(final.state.phase).toBe('done');
    expect(final.text).toBe(prefill + textOf(more)); // text events carry only the new text
    expect(final.text).toBe(whole.text);
    // What went upstream: the conversation plus the trimmed partial answer as the assistant's turn.
    const sent = h.emu.requestLog.entries().at(-1)?.body as { messages: { role: string; content: unknown }[] };
    expect(sent.messages.at(-1)).toMatchObject({ role: 'assistant' });
    expect(JSON.stringify(sent.messages.at(-1)?.content)).toContain(JSON.stringify(prefill).slice(1, -1));
  });

  it('exactly one terminal event, and nothing after it', async () => {
    const events = await collect(streamChat({ baseUrl: h.url, messages, maxTokens: 20 }));
    expect(events.filter(isTerminalEvent)).toEqual([events.at(-1)]);
  });

  it('one consumer: a second for-await throws instead of hanging', async () => {
    const stream = streamChat({ baseUrl: h.url, messages, maxTokens: 20 });
    const events = await collect(stream);
    expect(events.at(-1)?.type).toBe('done');
    await expect(collect(stream)).rejects.toThrow(/one consumer/);
    expect(stream.snapshot.state).toEqual({ phase: 'done' });
  });
});

describe('listModels', () => {
  it('lists the models with the default and how each family streams', async () => {
    const list = await listModels({ baseUrl: h.url });
    expect(list.models.length).toBeGreaterThan(3);
    expect(list.models.map((model) => model.id)).toContain(list.defaultModel);
    expect(list.models[0]).toEqual({
      id: expect.any(String),
      family: expect.any(String),
      name: expect.any(String),
      streaming: {
        tokensPerChunk: [expect.any(Number), expect.any(Number)],
        reasoning: expect.stringMatching(/^(never|on-request|always)$/),
        note: expect.any(String),
      },
    });
    expect(list.families.length).toBeGreaterThan(3);
  });
});
