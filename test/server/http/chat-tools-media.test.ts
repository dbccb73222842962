/**
 * /api/chat beyond plain text, against the real server and emulator over HTTP: tools the caller declares
 * stream as tool-call-start / tool-call-delta / tool-call SSE events and end the answer with stop reason
 * tool_use (calls in `done`); they replay after Last-Event-ID like text; the caller's tool results go back
 * as parts and the model answers from them; images and documents travel as base64 parts; bad parts are
 * 400s that name the field and the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../../support/media-samples.js';
import { CLAUDE, postJson, startHarness, type Harness } from './server-harness.js';
import { parseSse, SseReader, type ParsedSse } from './sse-parse.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const data = (event: ParsedSse): Record<string, unknown> => JSON.parse(event.data) as Record<string, unknown>;

async function chatEvents(body: unknown, headers: Record<string, string> = {}) {
  const response = await postJson(`${h.url}/api/chat`, body, headers);
  expect(response.status, await response.clone().text()).toBe(200);
  return { id: response.headers.get('x-generation-id')!, events: parseSse(await response.text()).events };
}

async function errorOf(
  body: unknown,
): Promise<{ status: number; error: { message: string; field?: string; fix?: string } }> {
  const response = await postJson(`${h.url}/api/chat`, body);
  const json = (await response.json()) as { error: { message: string; field?: string; fix?: string } };
  return { status: response.status, error: json.error };
}

describe('/api/chat with tools the caller declares', () => {
  it('streams the call (name first, input fragments, the parsed call) and ends with tool_use', async () => {
    const { events } = await chatEvents({
      messages: [{ role: 'user', content: 'Use get_weather for Paris, please.' }],
      tools: [weatherTool],
      model: CLAUDE,
    });
    const types = events.map((event) => event.event);
    expect(types[0]).toBe('start');
    expect(types).toContain('tool-call-start');
    const start = events.find((event) => event.event === 'tool-call-start')!;
    const call = events.find((event) => event.event === 'tool-call')!;
    const fragments = events.filter((event) => event.event === 'tool-call-delta').map((event) => data(event));
    expect(data(start)).toEqual({ id: data(call).id, name: 'get_weather' });
    expect(fragments.length).toBeGreaterThan(0);
    expect(fragments.every((fragment) => fragment.id === data(call).id)).toBe(true);
    // The fragments are raw JSON pieces: joined, they are the call's input.
    expect(JSON.parse(fragments.map((fragment) => fragment.inputDelta).join(''))).toEqual(data(call).input);
    expect(types.indexOf('tool-call-start')).toBeLessThan(types.indexOf('tool-call-delta'));
    expect(types.indexOf('tool-call')).toBeGreaterThan(types.lastIndexOf('tool-call-delta'));
    const done = data(events.at(-1)!);
    expect(events.at(-1)!.event).toBe('done');
    expect(done.stopReason).toBe('tool_use');
    expect(done.toolCalls).toEqual([{ id: data(call).id, name: 'get_weather', input: data(call).input }]);
  });

  it('replays tool events after Last-Event-ID exactly as first sent', async () => {
    const { id, events } = await chatEvents({
      messages: [{ role: 'user', content: 'Call get_weather now.' }],
      tools: [weatherTool],
      detached: true,
    });
    const startIndex = events.findIndex((event) => event.event === 'tool-call-start');
    const replay = await fetch(`${h.url}/api/generations/${id}/events`, {
      headers: { 'last-event-id': events[startIndex]!.id! },
    });
    expect(replay.status).toBe(200);
    expect(parseSse(await replay.text()).events).toEqual(events.slice(startIndex + 1));
  });

  it('sends the tool result back as parts, and the model answers from it', async () => {
    const first = await chatEvents({
      messages: [{ role: 'user', content: 'What does get_weather say for Oslo?' }],
      tools: [weatherTool],
    });
    const call = data(first.events.find((event) => event.event === 'tool-call')!);
    const { events } = await chatEvents({
      messages: [
        { role: 'user', content: 'What does get_weather say for Oslo?' },
        { role: 'assistant', content: [{ type: 'tool-call', id: call.id, name: call.name, input: call.input }] },
        {
          role: 'user',
          content: [{ type: 'tool-result', toolCallId: call.id, content: 'Sunny, 21 degrees' }],
        },
      ],
      tools: [weatherTool],
    });
    const text = events
      .filter((event) => event.event === 'text')
      .map((event) => data(event).text)
      .join('');
    expect(text).toContain('Sunny, 21 degrees');
    expect(data(events.at(-1)!).stopReason).not.toBe('tool_use');
  });

  it('toolChoice { name } makes the model call that tool even when the text does not name it', async () => {
    const { events } = await chatEvents({
      messages: [{ role: 'user', content: 'Hello there.' }],
      tools: [weatherTool, { name: 'get_time', inputSchema: { type: 'object', properties: {} } }],
      toolChoice: { name: 'get_time' },
    });
    expect(events.filter((event) => event.event === 'tool-call').map((event) => data(event).name)).toEqual([
      'get_time',
    ]);
  });
});

describe('/api/chat with images and documents', () => {
  it('takes an image and a document as base64 parts next to the text', async () => {
    const { events } = await chatEvents({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', mediaType: 'image/png', data: Buffer.from(png(4, 4)).toString('base64') },
            {
              type: 'document',
              format: 'txt',
              name: 'notes',
              data: Buffer.from('Remember the milk.').toString('base64'),
            },
            { type: 'text', text: 'What do you see?' },
          ],
        },
      ],
      api: 'converse',
      maxTokens: 20,
    });
    expect(events.at(-1)!.event).toBe('done');
    expect(events.some((event) => event.event === 'text')).toBe(true);
  });

  it.each([
    [
      'an unknown part type',
      [{ type: 'video', data: 'AAAA' }],
      'messages[0].content[0].type',
      /"text", "image", "document"/,
    ],
    [
      'an image type Bedrock does not take',
      [{ type: 'image', mediaType: 'image/tiff', data: 'AAAA' }],
      'messages[0].content[0].mediaType',
      /image\/png/,
    ],
    ['an image without data', [{ type: 'image', mediaType: 'image/png' }], 'messages[0].content[0].data', /base64/],
    ['an empty text part', [{ type: 'text', text: '' }], 'messages[0].content[0].text', /some text/],
    [
      'a document without a name',
      [{ type: 'document', format: 'txt', data: 'AAAA' }],
      'messages[0].content[0].name',
      /name/,
    ],
  ])('refuses %s with a 400 naming the field and the fix', async (_name, content, field, fix) => {
    const { status, error } = await errorOf({ messages: [{ role: 'user', content }] });
    expect(status).toBe(400);
    expect(error.field).toBe(field);
    expect(error.fix).toMatch(fix);
  });

  it('refuses image bytes that are not base64 with a 400 naming the part (never a 500)', async () => {
    const { status, error } = await errorOf({
      messages: [{ role: 'user', content: [{ type: 'image', mediaType: 'image/png', data: 'not base64!' }] }],
    });
    expect(status).toBe(400);
    expect(error.message).toContain('messages[0].content[0]');
    expect(error.message).toMatch(/base64/);
  });

  it('refuses a toolChoice naming an undeclared tool, and tools with a bad name', async () => {
    const choice = await errorOf({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [weatherTool],
      toolChoice: { name: 'get_time' },
    });
    expect(choice.status).toBe(400);
    expect(choice.error.field).toBe('toolChoice.name');
    expect(choice.error.fix).toMatch(/declared tools/);
    const badName = await errorOf({
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ ...weatherTool, name: 'get weather' }],
    });
    expect(badName.status).toBe(400);
    expect(badName.error.field).toBe('tools[0].name');
    expect(badName.error.fix).toMatch(/letters, digits/);
  });

  it('a body over the size limit is a 413 that says so (images count as bytes)', async () => {
    const big = 'A'.repeat(1024 * 1024 + 8);
    const response = await postJson(`${h.url}/api/chat`, {
      messages: [{ role: 'user', content: [{ type: 'image', mediaType: 'image/png', data: big }] }],
    });
    expect(response.status).toBe(413);
  });
});

describe('/api/chat with tools the server runs (createServer({ tools }))', () => {
  let served: Harness;
  const seen: unknown[] = [];
  const running: AbortSignal[] = [];
  beforeAll(async () => {
    served = await startHarness({
      tools: {
        get_weather: {
          description: 'The weather in a city',
          inputSchema: weatherTool.inputSchema,
          execute: (input: { city: string }) => {
            seen.push(input);
            return `Windy in ${input.city}`;
          },
        },
        wait_forever: {
          inputSchema: { type: 'object', properties: {} },
          execute: (_input: unknown, { signal }: { signal: AbortSignal }) =>
            new Promise((_resolve, reject) => {
              running.push(signal);
              signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
            }),
        },
        fail_always: {
          inputSchema: { type: 'object', properties: {} },
          execute: () => {
            throw new Error('The backend is down');
          },
        },
      },
    });
  });
  afterAll(async () => {
    await served.close();
  });

  async function served_chat(content: string) {
    const response = await postJson(`${served.url}/api/chat`, { messages: [{ role: 'user', content }] });
    expect(response.status).toBe(200);
    return { id: response.headers.get('x-generation-id')!, events: parseSse(await response.text()).events };
  }

  it('streams the call, runs the tool, streams its result, then the answer built from it', async () => {
    const { events } = await served_chat('What does get_weather say about Rome?');
    const types = events.map((event) => event.event);
    const call = data(events.find((event) => event.event === 'tool-call')!);
    const result = data(events.find((event) => event.event === 'tool-result')!);
    expect(seen).toContainEqual(call.input);
    expect(result).toEqual({
      id: call.id,
      name: 'get_weather',
      content: `Windy in ${(call.input as { city: string }).city}`,
      isError: false,
    });
    // Order: the call, its result, the next step, then the answer's text.
    expect(types.indexOf('tool-call')).toBeLessThan(types.indexOf('tool-result'));
    expect(types.indexOf('tool-result')).toBeLessThan(types.indexOf('step'));
    expect(data(events[types.indexOf('step')]!)).toEqual({ step: 2 });
    const text = events
      .slice(types.indexOf('step'))
      .filter((event) => event.event === 'text')
      .map((event) => data(event).text)
      .join('');
    expect(text).toContain(result.content as string);
    const done = data(events.at(-1)!);
    expect(done).toMatchObject({ stopReason: 'end_turn', steps: 2, toolCalls: [{ id: call.id, name: 'get_weather' }] });
  });

  it('a tool that throws is a failed result the model sees; the answer goes on', async () => {
    const { events } = await served_chat('Try fail_always once.');
    const result = data(events.find((event) => event.event === 'tool-result')!);
    expect(result).toMatchObject({ name: 'fail_always', content: 'The backend is down', isError: true });
    expect(events.at(-1)!.event).toBe('done');
  });

  it('a watcher attaching after the tool result replays the rest exactly', async () => {
    const { id, events } = await served_chat('get_weather for Madrid');
    const at = events.findIndex((event) => event.event === 'tool-result');
    const replay = await fetch(`${served.url}/api/generations/${id}/events`, {
      headers: { 'last-event-id': events[at]!.id! },
    });
    expect(parseSse(await replay.text()).events).toEqual(events.slice(at + 1));
  });

  it('cancelling the generation while a tool runs aborts the tool (its signal) and ends with cancelled', async () => {
    const response = await postJson(`${served.url}/api/chat`, {
      messages: [{ role: 'user', content: 'Please call wait_forever.' }],
    });
    const id = response.headers.get('x-generation-id')!;
    const reader = new SseReader(response);
    await reader.readUntil((events) => events.some((event) => event.event === 'tool-call'));
    await expect.poll(() => running.length).toBe(1);
    const cancel = await fetch(`${served.url}/api/generations/${id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const events = await reader.readAll();
    expect(events.at(-1)!.event).toBe('cancelled');
    expect(running[0]!.aborted).toBe(true);
  });

  it('a request declaring its own tools gets only those (their calls end the answer)', async () => {
    const response = await postJson(`${served.url}/api/chat`, {
      messages: [{ role: 'user', content: 'Use get_weather and lookup.' }],
      tools: [{ name: 'lookup', inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }],
    });
    const events = parseSse(await response.text()).events;
    expect(events.filter((event) => event.event === 'tool-call').map((event) => data(event).name)).toEqual(['lookup']);
    expect(events.some((event) => event.event === 'tool-result')).toBe(false);
    expect(data(events.at(-1)!).stopReason).toBe('tool_use');
  });
});
