/**
 * Streams cut around tool calls, with the emulator's fault injection: a cut inside a call's input is never
 * resumed nor retried and keeps the fragments received (error.partialToolCall); a cut after a complete
 * call is not re-run either, and says so; a cut while text streams still resumes as before. Invalid JSON
 * input from the model ends the stream with a ToolInputError keeping the raw fragments.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/client/stream-event.js';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { Emulator } from '../../src/emulator/server.js';
import { StreamInterruptedError, ToolInputError, type BedrockInferenceError } from '../../src/errors.js';
import { chunkFrame, concat } from './event-stream/frames.js';
import { TEST_CREDENTIALS, clientFor, rejection, startTestEmulator } from './emulator-harness.js';
import { WEATHER_TOOL } from './tool-fixtures.js';

let emu: Emulator;
let client: BedrockStreamingClient;

beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu, { resume: true });
});

afterEach(() => {
  emu.scripts.clear();
  emu.faults.clear();
  emu.requestLog.clear();
});

afterAll(async () => {
  client.destroy();
  await emu.close();
});

const INPUT = { city: 'Paris', unit: 'celsius' };

async function consume(prompt: string): Promise<{ events: StreamEvent[]; error: BedrockInferenceError }> {
  const events: StreamEvent[] = [];
  const stream = client.invokeStream({ prompt, tools: [WEATHER_TOOL] });
  const error = await rejection(
    (async () => {
      for await (const event of stream.events()) events.push(event);
    })(),
  );
  return { events, error: error as BedrockInferenceError };
}

describe('a stream cut inside a tool call', () => {
  it.each([
    { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 4 },
    { kind: 'truncate', afterChunks: 4 },
    { kind: 'end-early', afterChunks: 4 },
  ] as const)('$kind: no resume, no retry, the fragments received are kept', async (fault) => {
    emu.scripts.add({ answer: { text: '', toolCalls: [{ name: 'get_weather', input: INPUT }] } });
    emu.faults.add({ fault });
    const { events, error } = await consume('Weather in Paris?');

    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error.message).toContain("the cut fell inside tool call get_weather's input");
    const start = events.find((e) => e.type === 'tool-call-start');
    expect(start).toMatchObject({ name: 'get_weather' });
    expect(events.some((e) => e.type === 'tool-call' || e.type === 'resume' || e.type === 'retry')).toBe(false);
    const fragments = events.flatMap((e) => (e.type === 'tool-call-delta' ? [e.inputDelta] : []));
    expect(error.partialToolCall).toEqual({
      id: start!.type === 'tool-call-start' && start!.id,
      name: 'get_weather',
      inputFragments: fragments,
    });
    // What arrived is a proper prefix of the call's JSON input.
    const full = JSON.stringify(INPUT);
    expect(full.startsWith(fragments.join(''))).toBe(true);
    expect(fragments.join('').length).toBeLessThan(full.length);
    expect(emu.requestLog.entries()).toHaveLength(1);
  });
});

describe('a stream cut after a complete tool call', () => {
  it('is not re-run, and the error says why', async () => {
    emu.scripts.add({ answer: { text: 'Let me look.', toolCalls: [{ name: 'get_weather', input: INPUT }] } });
    // A clean run first, to learn how many chunks the answer takes.
    const clean = await client.invokeStream({ prompt: 'Weather in Paris?', tools: [WEATHER_TOOL] }).finalResult();
    expect(clean.toolCalls).toEqual([expect.objectContaining({ name: 'get_weather', input: INPUT })]);
    const total = emu.requestLog.entries()[0]!.chunksSent;
    emu.requestLog.clear();
    // Claude ends with message_delta and message_stop after the tool_use block's stop: cut right before them.
    emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: total - 2 },
    });
    const { events, error } = await consume('Weather in Paris?');

    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect(error.message).toContain('the answer already holds 1 complete tool call(s) (get_weather)');
    expect(error.partialText).toBe('Let me look.');
    expect(error.partialToolCall).toBeUndefined();
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      expect.objectContaining({ type: 'tool-call', name: 'get_weather', input: INPUT }),
    ]);
    expect(events.some((e) => e.type === 'resume')).toBe(false);
    expect(emu.requestLog.entries()).toHaveLength(1);
  });

  it('a cut while text streams (tools offered, none called yet) still resumes', async () => {
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 4 } });
    const stream = client.invokeStream({ prompt: 'Tell me a story about the sea.', tools: [WEATHER_TOOL] });
    const result = await stream.finalResult();
    expect(result.resumes).toBe(1);
    expect(result.toolCalls).toEqual([]);
    expect(result.stopReason).toBe('end_turn');
  });
});

describe('a cut in the answer to a tool result', () => {
  it.each(['invoke', 'converse'] as const)('%s: resumes after the tool turns, the answer continued', async (api) => {
    const messages = [
      { role: 'user' as const, content: 'Weather in Paris?' },
      {
        role: 'assistant' as const,
        content: [{ type: 'tool-call' as const, id: 'toolu_1', name: 'get_weather', input: INPUT }],
      },
      {
        role: 'user' as const,
        content: [{ type: 'tool-result' as const, toolCallId: 'toolu_1', content: 'Rain all afternoon, 12 degrees' }],
      },
    ];
    const clean = await client.invokeStream({ api, messages, tools: [WEATHER_TOOL] }).finalResult();
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 4 } });
    const stream = client.invokeStream({ api, messages, tools: [WEATHER_TOOL] });
    let partial = '';
    for await (const event of stream.events()) if (event.type === 'resume') partial = stream.text;
    const result = await stream.finalResult();
    expect(clean.text).toContain('Rain all afternoon, 12 degrees');
    expect(result.resumes).toBe(1);
    expect(partial.length).toBeGreaterThan(0);
    expect(result.text.startsWith(partial)).toBe(true);
    // The continuation carried the tool turns, the tools, and the partial answer as a prefill.
    const entries = emu.requestLog.entries();
    expect(entries).toHaveLength(3);
    const body = entries[2]!.body as {
      messages: { role: string; content: unknown }[];
      tools?: unknown;
      toolConfig?: unknown;
    };
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(JSON.stringify(body.messages[2]!.content)).toContain('Rain all afternoon, 12 degrees');
    expect(JSON.stringify(body.messages[3]!.content)).toContain(partial.trimEnd());
    expect(api === 'invoke' ? body.tools : body.toolConfig).toBeDefined();
  });
});

describe('invalid JSON tool input', () => {
  it('ends the stream with a ToolInputError keeping the raw fragments and the partial text, never retried', async () => {
    // The emulator only writes valid input: a bare HTTP server sends Claude's stream with broken JSON.
    const chunks = [
      { type: 'message_start', message: { usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_x', name: 'get_weather', input: {} },
      },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"city": "Par' } },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: 'is", unit: celsius}' },
      },
      { type: 'content_block_stop', index: 1 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } },
      { type: 'message_stop' },
    ];
    let requests = 0;
    // Cleartext HTTP/2, as the client speaks to http:// endpoints.
    const server = createServer((_request, response) => {
      requests++;
      response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-1' });
      response.end(Buffer.from(concat(chunks.map((chunk) => chunkFrame(chunk)))));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const bare = new BedrockStreamingClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      resume: true,
    });
    try {
      const stream = bare.invokeStream({ prompt: 'Weather in Paris?', tools: [WEATHER_TOOL] });
      const events: StreamEvent[] = [];
      const error = await rejection(
        (async () => {
          for await (const event of stream.events()) events.push(event);
        })(),
      );
      expect(error).toBeInstanceOf(ToolInputError);
      const toolError = error as ToolInputError;
      expect(toolError.inputFragments).toEqual(['{"city": "Par', 'is", unit: celsius}']);
      expect(toolError.inputText).toBe('{"city": "Paris", unit: celsius}');
      expect(toolError.toolName).toBe('get_weather');
      expect(toolError.partialText).toBe('Checking.');
      expect(toolError.partialToolCall).toEqual({
        id: 'toolu_x',
        name: 'get_weather',
        inputFragments: ['{"city": "Par', 'is", unit: celsius}'],
      });
      // The fragments reached the caller; the broken call never became a tool-call event.
      expect(events.filter((e) => e.type === 'tool-call-delta')).toHaveLength(2);
      expect(events.some((e) => e.type === 'tool-call' || e.type === 'resume' || e.type === 'retry')).toBe(false);
      expect(requests).toBe(1);
    } finally {
      bare.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
