/**
 * Tool use end to end: the library against the emulator over HTTP (real SDK, real event-stream frames).
 * For every family whose native format has tools, and for Converse: a streamed call whose fragments
 * join to valid input, tool-call events, toolCalls on the result, stop reason tool_use, and a second
 * turn carrying the result that completes the answer. Families without tools are refused before any call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { StreamEvent } from '../../src/client/stream-event.js';
import type { InferenceResult, ToolCall } from '../../src/client/types.js';
import type { Emulator } from '../../src/emulator/server.js';
import { ValidationError } from '../../src/errors.js';
import type { ChatMessage } from '../../src/models/types.js';
import { clientFor, rejection, startTestEmulator } from './emulator-harness.js';
import { WEATHER_TOOL } from './tool-fixtures.js';

const TOOL_FAMILIES: [string, string][] = [
  ['anthropic', 'anthropic.claude-3-haiku-20240307-v1:0'],
  ['nova', 'us.amazon.nova-lite-v1:0'],
  ['mistral-chat', 'mistral.mistral-large-2407-v1:0'],
  ['ai21', 'ai21.jamba-1-5-mini-v1:0'],
  ['openai', 'openai.gpt-oss-20b-1:0'],
  ['cohere', 'cohere.command-r-v1:0'],
];

let emu: Emulator;
let client: BedrockStreamingClient;

beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu);
});

afterAll(async () => {
  client.destroy();
  await emu.close();
});

async function collect(
  request: Parameters<BedrockStreamingClient['invokeStream']>[0],
): Promise<{ events: StreamEvent[]; result: InferenceResult }> {
  const stream = client.invokeStream(request);
  const events: StreamEvent[] = [];
  for await (const event of stream.events()) events.push(event);
  return { events, result: await stream.finalResult() };
}

/** The fragments of each call, joined in arrival order. */
function joinedFragments(events: readonly StreamEvent[]): Map<string, string> {
  const joined = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'tool-call-delta') joined.set(event.id, (joined.get(event.id) ?? '') + event.inputDelta);
  }
  return joined;
}

function expectValidWeatherInput(input: unknown, modelId = ''): void {
  expect(input).toMatchObject({ city: expect.any(String), unit: expect.any(String) });
  // Command R's parameter_definitions have no enum (the values go into the description only).
  if (!modelId.startsWith('cohere.')) expect(['celsius', 'fahrenheit']).toContain((input as { unit: string }).unit);
}

/** The conversation's second turn: the model's call, then our result for it. */
function withResult(question: string, call: ToolCall, output: string): ChatMessage[] {
  return [
    { role: 'user', content: question },
    { role: 'assistant', content: [{ type: 'tool-call', id: call.id, name: call.name, input: call.input }] },
    { role: 'user', content: [{ type: 'tool-result', toolCallId: call.id, content: output }] },
  ];
}

const QUESTION = 'Use get_weather to tell me the weather in Paris.';

async function streamedToolCallRoundTrip(modelId: string, api: 'invoke' | 'converse'): Promise<void> {
  const { events, result } = await collect({ modelId, api, prompt: QUESTION, tools: [WEATHER_TOOL] });
  const starts = events.filter((e) => e.type === 'tool-call-start');
  const calls = events.filter((e) => e.type === 'tool-call');
  expect(starts).toHaveLength(1);
  expect(starts[0]).toMatchObject({ name: 'get_weather' });
  expect(calls).toHaveLength(1);
  const call = calls[0]!;
  expect(call.id).toBe(starts[0]!.id);
  // Several raw fragments that join to the JSON the event parsed.
  expect(events.filter((e) => e.type === 'tool-call-delta').length).toBeGreaterThan(1);
  expect(JSON.parse(joinedFragments(events).get(call.id)!)).toEqual(call.input);
  expectValidWeatherInput(call.input, modelId);
  // The order a UI relies on: start, fragments, the call, then the stop.
  const kinds = events.map((e) => e.type).filter((t) => t.startsWith('tool-call') || t === 'stop');
  expect(kinds[0]).toBe('tool-call-start');
  expect(kinds.at(-2)).toBe('tool-call');
  expect(kinds.at(-1)).toBe('stop');
  expect(result.stopReason).toBe('tool_use');
  expect(result.toolCalls).toEqual([{ id: call.id, name: 'get_weather', input: call.input }]);

  const output = 'Sunny, 24 degrees';
  const second = await collect({ modelId, api, messages: withResult(QUESTION, call, output), tools: [WEATHER_TOOL] });
  expect(second.result.toolCalls).toEqual([]);
  expect(second.result.stopReason).toBe('end_turn');
  expect(second.result.text).toContain(output);
}

describe('a streamed tool call and the answer to its result, per family (invoke)', () => {
  it.each(TOOL_FAMILIES)('%s', async (_family, modelId) => {
    await streamedToolCallRoundTrip(modelId, 'invoke');
  });
});

describe('the same on Converse', () => {
  it.each([
    ['anthropic', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['nova', 'us.amazon.nova-lite-v1:0'],
    // Llama's native prompt has no tools; Converse gives them (the fix the ValidationError names).
    ['llama', 'meta.llama3-8b-instruct-v1:0'],
  ])('%s', async (_family, modelId) => {
    await streamedToolCallRoundTrip(modelId, 'converse');
  });
});

describe('tool choice', () => {
  it("'any' calls a tool though the prompt names none; 'none' answers in text", async () => {
    const forced = await collect({ prompt: 'Hello there.', tools: [WEATHER_TOOL], toolChoice: 'any' });
    expect(forced.result.toolCalls.map((c) => c.name)).toEqual(['get_weather']);
    const none = await collect({ prompt: QUESTION, tools: [WEATHER_TOOL], toolChoice: 'none' });
    expect(none.result.toolCalls).toEqual([]);
    expect(none.result.stopReason).not.toBe('tool_use');
  });

  it('a named tool on Converse; an error result reaches the model as an error', async () => {
    const other = { name: 'get_time', inputSchema: { type: 'object', properties: {} } };
    const { result } = await collect({
      api: 'converse',
      prompt: 'Hello.',
      tools: [other, WEATHER_TOOL],
      toolChoice: { name: 'get_weather' },
    });
    expect(result.toolCalls.map((c) => c.name)).toEqual(['get_weather']);
    const call = result.toolCalls[0]!;
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Hello.' },
      { role: 'assistant', content: [{ type: 'tool-call', ...call }] },
      {
        role: 'user',
        content: [{ type: 'tool-result', toolCallId: call.id, content: 'city not found', isError: true }],
      },
    ];
    const answer = await collect({ api: 'converse', messages, tools: [other, WEATHER_TOOL] });
    expect(answer.result.text).toContain('city not found');
  });

  it.each(['invoke', 'converse'] as const)('the non-streaming call (%s) yields the same tool calls', async (api) => {
    const result = await client.invoke({ api, prompt: QUESTION, tools: [WEATHER_TOOL] });
    expect(result.stopReason).toBe('tool_use');
    expect(result.toolCalls).toHaveLength(1);
    expectValidWeatherInput(result.toolCalls[0]!.input);
  });

  it('re-chunked text held back is released before the tool call starts', async () => {
    emu.scripts.add({
      answer: { text: 'Let me look that up', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] },
      times: 1,
    });
    const { events } = await collect({ prompt: QUESTION, tools: [WEATHER_TOOL], chunking: 'line' });
    const kinds = events.map((e) => e.type).filter((t) => t === 'text' || t.startsWith('tool-call'));
    expect(kinds[0]).toBe('text');
    expect(kinds.lastIndexOf('text')).toBeLessThan(kinds.indexOf('tool-call-start'));
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => (e.type === 'text' ? e.delta : ''))
        .join(''),
    ).toBe('Let me look that up');
  });

  it('callbacks get each complete call through onToolCall', async () => {
    const calls: ToolCall[] = [];
    const result = await client.invokeStreamWithCallbacks({
      prompt: QUESTION,
      tools: [WEATHER_TOOL],
      onToolCall: (call) => calls.push(call),
    });
    expect(calls).toEqual(result!.toolCalls);
    expect(calls).toHaveLength(1);
  });
});

describe('refused before any call, naming the fix', () => {
  it.each([
    ['llama', 'meta.llama3-8b-instruct-v1:0'],
    ['titan', 'amazon.titan-text-express-v1'],
    ['deepseek', 'us.deepseek.r1-v1:0'],
  ])('%s takes no tools', async (_family, modelId) => {
    const before = emu.requestLog.entries().length;
    const error = await rejection(collect({ modelId, prompt: QUESTION, tools: [WEATHER_TOOL] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/takes no tools: send this request with api: 'converse'/);
    expect(emu.requestLog.entries().length).toBe(before);
  });

  it("a tool choice the format cannot express (Jamba 'any', Converse 'none')", () => {
    expect(() =>
      client.invokeStream({
        modelId: 'ai21.jamba-1-5-mini-v1:0',
        prompt: QUESTION,
        tools: [WEATHER_TOOL],
        toolChoice: 'any',
      }),
    ).toThrow(/Jamba's chat format cannot express toolChoice 'any'/);
    expect(() =>
      client.invokeStream({ api: 'converse', prompt: QUESTION, tools: [WEATHER_TOOL], toolChoice: 'none' }),
    ).toThrow(/Converse's toolChoice has no 'none'/);
  });

  it('bad tool definitions and choices', () => {
    expect(() => client.invokeStream({ prompt: 'x', tools: [{ ...WEATHER_TOOL, name: 'get weather' }] })).toThrow(
      /tools\[0\]\.name must be 1-64 letters/,
    );
    expect(() => client.invokeStream({ prompt: 'x', tools: [WEATHER_TOOL], toolChoice: { name: 'nope' } })).toThrow(
      /toolChoice names "nope", which is not among the tools/,
    );
    const call = { type: 'tool-call', id: 'c1', name: 'get_weather', input: { city: 'Paris' } } as const;
    const history: ChatMessage[] = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: [call] },
      { role: 'user', content: [{ type: 'tool-result', toolCallId: 'c1', content: 'ok' }] },
    ];
    expect(() => client.invokeStream({ messages: history })).toThrow(/has no `tools`: .* pass the same tools again/);
    const orphan: ChatMessage[] = [history[0]!, { role: 'assistant', content: 'hm' }, history[2]!];
    expect(() => client.invokeStream({ messages: orphan, tools: [WEATHER_TOOL] })).toThrow(
      /answers tool call "c1", which no earlier assistant turn made/,
    );
  });
});
