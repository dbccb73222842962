/**
 * Reconnect: a TCP proxy between the client and the server cuts the connection mid-answer; the client
 * re-attaches with Last-Event-ID (in memory: ids 1, 2, ...; with Redis: stream ids) and the answer
 * ends whole, with no duplicated and no missing text. Also: giving up, a generation gone on re-attach,
 * a proxy's 502 on re-attach, reconnect turned off, and corrupted bytes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cancel, streamChat, type ChatEvent, type ErrorEvent, type ReconnectOptions } from '../../src/browser/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { collect, messages, serverAnswer, startHarness, textEvents, textOf, type Harness } from './browser-harness.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const fast = { initialDelayMs: 20, maxDelayMs: 100 };
const body = { messages, maxTokens: 400 };

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, speed: 'instant' });
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => {
  emu.setSpeed('instant');
  emu.faults.clear();
  emu.requestLog.clear();
});

const portOf = (url: string) => Number(new URL(url).port);
const streamRequests = () => emu.requestLog.entries().filter((entry) => entry.operation.includes('Stream'));

describe.each([
  { registry: 'memory', options: {}, idPattern: /^\d+$/ },
  { registry: 'redis', options: { redisUrl: REDIS_URL }, idPattern: /^\d+-\d+$/ },
])('a connection dropped mid-answer ($registry registry)', ({ options, idPattern }) => {
  let h: Harness;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    h = await startHarness(options, emu);
    proxy = await startRecordingProxy(portOf(h.url));
  });
  afterAll(async () => {
    await proxy?.close();
    await h?.close();
  });

  it('re-attaches with Last-Event-ID and ends with the whole answer, nothing doubled or lost', async () => {
    const whole = await serverAnswer(h.url, body);
    emu.requestLog.clear();
    emu.setSpeed(2); // slow enough that the answer is still streaming when the connection drops
    let resumeFrom: string | undefined;
    const stream = streamChat({
      baseUrl: proxy.url,
      ...body,
      detached: true, // the generation outlives the dropped connection
      reconnect: fast,
      onEvent: (event, snapshot) => {
        if (event.type === 'reconnecting') resumeFrom ??= snapshot.lastEventId;
      },
    });
    await textEvents(stream, 5);
    expect(stream.snapshot.state.phase).toBe('streaming');
    expect(proxy.dropAll()).toBeGreaterThan(0);
    const events = await collect(stream);
    const final = await stream.finished;

    const types = events.map((event) => event.type);
    expect(types).toContain('reconnecting');
    expect(types.indexOf('reconnected')).toBeGreaterThan(types.indexOf('reconnecting'));
    expect(events.at(-1)).toMatchObject({ type: 'done' });
    expect(final.state.phase).toBe('done');
    expect(final.text).toBe(whole.text);
    expect(textOf(events)).toBe(whole.text);
    expect(final.lastEventId).toMatch(idPattern);

    // What the re-attach sent: the last id the client had, to the generation's events route.
    expect(resumeFrom).toMatch(idPattern);
    const attach = proxy.requests.find((request) => request.method === 'GET');
    expect(attach).toMatchObject({
      path: `/api/generations/${stream.generationId}/events`,
      headers: { 'last-event-id': resumeFrom, accept: 'text/event-stream' },
    });
    // One upstream generation: the reconnect re-attached instead of asking the model again.
    expect(streamRequests()).toHaveLength(1);
  });
});

describe('when re-attaching fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({}, emu);
  });
  afterAll(async () => {
    await h?.close();
  });

  async function dropMidAnswer(proxy: RecordingProxy, reconnect: ReconnectOptions | false) {
    emu.setSpeed(2);
    const seen: ChatEvent[] = [];
    const stream = streamChat({
      baseUrl: proxy.url,
      ...body,
      detached: true,
      reconnect,
      onEvent: (event) => seen.push(event),
    });
    await textEvents(stream, 3);
    expect(stream.snapshot.state.phase).toBe('streaming');
    return { stream, seen };
  }

  it('gives up after maxAttempts when the server is gone: an error with the partial text', async () => {
    const proxy = await startRecordingProxy(portOf(h.url));
    const { stream, seen } = await dropMidAnswer(proxy, { ...fast, maxAttempts: 3 });
    await proxy.close(); // connections cut, and new ones refused
    const final = await stream.finished;
    const reconnecting = seen.filter((event) => event.type === 'reconnecting');
    expect(reconnecting.map((event) => event.attempt)).toEqual([1, 2, 3]);
    expect(seen.map((event) => event.type)).not.toContain('reconnected');
    const error = seen.at(-1) as ErrorEvent;
    expect(error).toMatchObject({ type: 'error', errorType: 'NetworkError', retryable: true });
    expect(error.partialText).toBe(final.text);
    expect(error.partialText).toBe(textOf(seen));
    expect(error.partialText.length).toBeGreaterThan(0);
    expect(final.state).toEqual({ phase: 'error', retryable: true });
    await cancel(stream.generationId!, { baseUrl: h.url }); // the detached generation is still running
  });

  it('a generation unknown on re-attach (another server answers) is GenerationLost with the partial text', async () => {
    const other = await startHarness({}, emu);
    const proxy = await startRecordingProxy(portOf(h.url));
    try {
      const { stream, seen } = await dropMidAnswer(proxy, fast);
      proxy.targetPort = portOf(other.url);
      proxy.dropAll();
      const final = await stream.finished;
      expect(seen.at(-1)).toEqual({
        type: 'error',
        errorType: 'GenerationLost',
        message: expect.any(String),
        retryable: true,
        status: 404,
        partialText: final.text,
      });
      expect(final.text).toBe(textOf(seen));
      await cancel(stream.generationId!, { baseUrl: h.url });
    } finally {
      await proxy.close();
      await other.close();
    }
  });

  it("a proxy's 502 on re-attach is tried again, and the answer still ends whole", async () => {
    const whole = await serverAnswer(h.url, body);
    emu.requestLog.clear();
    const proxy = await startRecordingProxy(portOf(h.url));
    try {
      const { stream, seen } = await dropMidAnswer(proxy, fast);
      proxy.badGateways = 2;
      proxy.dropAll();
      const final = await stream.finished;
      expect(final.state.phase).toBe('done');
      expect(final.text).toBe(whole.text);
      expect(seen.filter((event) => event.type === 'reconnecting').map((event) => event.attempt)).toEqual([1, 2, 3]);
      expect(seen.filter((event) => event.type === 'reconnected')).toHaveLength(1);
      const attaches = proxy.requests.filter((request) => request.method === 'GET');
      expect(attaches).toHaveLength(3);
      expect(new Set(attaches.map((request) => request.headers['last-event-id'])).size).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('with reconnect: false a drop ends the stream at once (NetworkError, partial text kept)', async () => {
    const proxy = await startRecordingProxy(portOf(h.url));
    try {
      const { stream, seen } = await dropMidAnswer(proxy, false);
      proxy.dropAll();
      const final = await stream.finished;
      expect(seen.map((event) => event.type)).not.toContain('reconnecting');
      expect(seen.at(-1)).toMatchObject({ type: 'error', errorType: 'NetworkError', partialText: final.text });
      expect(proxy.requests.filter((request) => request.method === 'GET')).toHaveLength(0);
      await cancel(stream.generationId!, { baseUrl: h.url });
    } finally {
      await proxy.close();
    }
  });

  it('a malformed event (bytes corrupted in transit) is an error event, not a crash or a hang', async () => {
    const proxy = await startRecordingProxy(portOf(h.url));
    try {
      let corrupted = false;
      proxy.rewrite = (data) => {
        if (corrupted || !data.includes('event: text\ndata: {"text":"')) return data;
        corrupted = true;
        return data.replace('event: text\ndata: {"text":"', 'event: text\ndata: {"text":['); // same length
      };
      const stream = streamChat({ baseUrl: proxy.url, messages, maxTokens: 40 });
      const events = await collect(stream);
      expect(events.map((event) => event.type)).toEqual(['start', 'error']);
      expect(events[1]).toMatchObject({ type: 'error', errorType: 'BadEvent', retryable: false, partialText: '' });
    } finally {
      await proxy.close();
    }
  });
});
