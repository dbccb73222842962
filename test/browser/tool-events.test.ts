/**
 * The browser client with tool calls, against the real server (running its own tools) and emulator:
 * typed tool events, the snapshot's tool calls (arguments as they streamed, then the parsed input and
 * the result), the step, and a connection dropped while a tool runs: the client re-attaches and the
 * snapshot ends exactly as the server's log says, nothing doubled; with the in-memory registry and with Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChat, type ChatEvent, type ChatSnapshot } from '../../src/browser/index.js';
import { parseSse } from '../server/http/sse-parse.js';
import { collect, startHarness, textOf, type Harness } from './browser-harness.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';

const portOf = (url: string) => Number(new URL(url).port);

/** A gate the tool waits on, so a test can act while the tool runs. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let toolGate = gate();
const tools = {
  get_weather: {
    description: 'The weather in a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    execute: async (input: { city: string }) => {
      await toolGate.wait;
      return { city: input.city, sky: 'clear', celsius: 24 };
    },
  },
};

function until(stream: { snapshot: ChatSnapshot }, check: (snapshot: ChatSnapshot) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () =>
      check(stream.snapshot) || stream.snapshot.endedAt !== undefined ? resolve() : setTimeout(poll, 5);
    poll();
  });
}

/** The generation's whole log, replayed from the start: the reference the client must match. */
async function serverLog(h: Harness, id: string): Promise<{ event: string; data: unknown }[]> {
  const response = await fetch(`${h.url}/api/generations/${id}/events`);
  return parseSse(await response.text()).events.map((event) => ({ event: event.event, data: JSON.parse(event.data) }));
}

/** A client event in the server's terms (its SSE type and data), to compare with the log. */
function asLogged(event: ChatEvent): { event: string; data: unknown } | undefined {
  const { type, ...rest } = event;
  if (type === 'reconnecting' || type === 'reconnected') return undefined;
  return { event: type, data: rest };
}

describe.each([
  { registry: 'memory', options: {} },
  { registry: 'redis', options: { redisUrl: REDIS_URL } },
])('browser client: tool events ($registry registry)', ({ options }) => {
  let h: Harness;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    h = await startHarness({ tools, ...options });
    proxy = await startRecordingProxy(portOf(h.url));
  });
  afterAll(async () => {
    await proxy?.close();
    await h?.close();
  });

  it('types the events and keeps each call in the snapshot: arguments, input, result, step', async () => {
    toolGate = gate();
    toolGate.open();
    const stream = streamChat({ baseUrl: h.url, messages: [{ role: 'user', content: 'Ask get_weather about Nice.' }] });
    const events = await collect(stream);
    const final = await stream.finished;
    const types = events.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['tool-call-start', 'tool-call-delta', 'tool-call', 'tool-result', 'step']),
    );
    expect(final.state.phase).toBe('done');
    expect(final.step).toBe(2);
    expect(final.toolCalls).toHaveLength(1);
    const [call] = final.toolCalls;
    const parsed = events.find((event) => event.type === 'tool-call')!;
    expect(call).toMatchObject({ name: 'get_weather', status: 'done', step: 1 });
    expect(parsed.type === 'tool-call' && call!.input).toEqual(parsed.type === 'tool-call' && parsed.input);
    expect(JSON.parse(call!.inputText)).toEqual(call!.input);
    expect(call!.result).toEqual({ city: (call!.input as { city: string }).city, sky: 'clear', celsius: 24 });
    expect(final.text).toBe(textOf(events));
    expect(final.text).toContain('clear');
  });

  it('a connection dropped while the tool runs: re-attaches, and the snapshot matches the server log exactly', async () => {
    toolGate = gate();
    const seen: ChatEvent[] = [];
    const stream = streamChat({
      baseUrl: proxy.url,
      messages: [{ role: 'user', content: 'What does get_weather say for Bergen?' }],
      detached: true,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      onEvent: (event) => seen.push(event),
    });
    await until(stream, (snapshot) => snapshot.toolCalls[0]?.status === 'called');
    expect(stream.snapshot.state).toEqual({ phase: 'streaming', detail: 'tool' });
    expect(proxy.dropAll()).toBeGreaterThan(0);
    await until(stream, () => seen.some((event) => event.type === 'reconnecting'));
    toolGate.open();
    const final = await stream.finished;

    expect(seen.map((event) => event.type)).toContain('reconnected');
    expect(final.state.phase).toBe('done');
    const log = await serverLog(h, stream.generationId!);
    expect(seen.map(asLogged).filter((event) => event !== undefined)).toEqual(log);
    expect(final.toolCalls).toHaveLength(1);
    expect(final.toolCalls[0]).toMatchObject({ status: 'done', result: { sky: 'clear' } });
    const logged = log
      .filter((entry) => entry.event === 'tool-call-delta')
      .map((entry) => (entry.data as { inputDelta: string }).inputDelta)
      .join('');
    expect(JSON.parse(logged)).toEqual(final.toolCalls[0]!.input);
  });
});
