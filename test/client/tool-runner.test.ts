/**
 * client.runTools against the emulator over HTTP: steps streamed as one event stream, tools run (in
 * parallel when the model calls several), results sent back, usage summed, maxSteps, and one abort that
 * stops the running step or the running tools.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { RunnableTool, ToolRunEvent } from '../../src/client/tool-runner.js';
import type { Emulator } from '../../src/emulator/server.js';
import { AbortError, ValidationError } from '../../src/errors.js';
import { clientFor, rejection, startTestEmulator } from './emulator-harness.js';

let emu: Emulator;
let client: BedrockStreamingClient;

beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu);
});

afterEach(() => {
  emu.scripts.clear();
});

afterAll(async () => {
  client.destroy();
  await emu.close();
});

const citySchema = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
};

function weatherTool(log: string[]): RunnableTool<{ city: string }> {
  return {
    description: 'The weather in a city',
    inputSchema: citySchema,
    execute: ({ city }) => {
      log.push(`get_weather(${city})`);
      return { city, sky: 'clear', celsius: 21 };
    },
  };
}

function timeTool(log: string[]): RunnableTool<{ city: string }> {
  return {
    description: 'The local time in a city',
    inputSchema: citySchema,
    execute: ({ city }) => {
      log.push(`get_time(${city})`);
      return `It is 14:05 in ${city}`;
    },
  };
}

async function drain(events: AsyncIterable<ToolRunEvent>): Promise<ToolRunEvent[]> {
  const out: ToolRunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('runTools', () => {
  it('runs two tools over three steps with one event stream, results fed back, usage summed', async () => {
    emu.scripts.add({ answer: { text: '', toolCalls: [{ name: 'get_weather', input: { city: 'Paris' } }] }, times: 1 });
    emu.scripts.add({
      answer: { text: 'Now the time.', toolCalls: [{ name: 'get_time', input: { city: 'Paris' } }] },
      times: 1,
    });
    const log: string[] = [];
    const run = client.runTools({
      prompt: 'Plan my afternoon in Paris.',
      tools: { get_weather: weatherTool(log), get_time: timeTool(log) },
      maxSteps: 5,
    });
    const events = await drain(run);
    const result = await run.finalResult();

    expect(log).toEqual(['get_weather(Paris)', 'get_time(Paris)']);
    const markers = events.filter(
      (e) => e.type === 'step-start' || e.type === 'step-finish' || e.type === 'tool-result',
    );
    expect(markers.map((e) => `${e.type}:${'step' in e ? e.step : ''}`)).toEqual([
      'step-start:1',
      'tool-result:1',
      'step-finish:1',
      'step-start:2',
      'tool-result:2',
      'step-finish:2',
      'step-start:3',
      'step-finish:3',
    ]);
    // Each step's model events sit between its markers.
    const firstCall = events.findIndex((e) => e.type === 'tool-call');
    expect(firstCall).toBeGreaterThan(events.findIndex((e) => e.type === 'step-start'));
    expect(firstCall).toBeLessThan(events.findIndex((e) => e.type === 'step-finish'));

    expect(result.finishReason).toBe('answered');
    expect(result.steps.map((s) => s.toolCalls.map((c) => c.name))).toEqual([['get_weather'], ['get_time'], []]);
    expect(result.steps[0]!.toolResults[0]).toMatchObject({
      output: { city: 'Paris', sky: 'clear', celsius: 21 },
      isError: false,
    });
    // The last step answers from the last result, which the emulator quotes verbatim.
    expect(result.text).toContain('It is 14:05 in Paris');
    expect(result.stopReason).toBe('end_turn');
    expect(result.usage.inputTokens).toBe(result.steps.reduce((sum, s) => sum + s.result.usage.inputTokens, 0));
    expect(result.usage.outputTokens).toBe(result.steps.reduce((sum, s) => sum + s.result.usage.outputTokens, 0));
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(result.messages[3]!.content).toEqual([
      { type: 'text', text: 'Now the time.' },
      expect.objectContaining({ type: 'tool-call', name: 'get_time', input: { city: 'Paris' } }),
    ]);
  });

  it('runs the calls of one step in parallel, and a thrown error becomes an error result', async () => {
    let release!: () => void;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const slow = (name: string): RunnableTool<{ city: string }> => ({
      inputSchema: citySchema,
      execute: async () => {
        // Neither finishes before both started: only parallel execution gets past this.
        if (++started === 2) release();
        await bothStarted;
        if (name === 'get_time') throw new Error('clock service unavailable');
        return 'fine';
      },
    });
    const run = client.runTools({
      prompt: 'Call get_weather and get_time for Paris.',
      tools: { get_weather: slow('get_weather'), get_time: slow('get_time') },
    });
    const result = await run.finalResult();
    expect(started).toBe(2);
    expect(result.steps[0]!.toolCalls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
    expect(result.steps[0]!.toolResults.map((r) => [r.toolName, r.isError, r.output])).toEqual([
      ['get_weather', false, 'fine'],
      ['get_time', true, 'clock service unavailable'],
    ]);
    expect(result.messages[2]!.content).toEqual([
      expect.objectContaining({ type: 'tool-result', content: 'fine' }),
      expect.objectContaining({ type: 'tool-result', content: 'clock service unavailable', isError: true }),
    ]);
    expect(result.text).toContain('clock service unavailable');
    expect(result.steps).toHaveLength(2);
  });

  it('stops at maxSteps when the model keeps calling tools', async () => {
    const before = emu.requestLog.entries().length;
    const log: string[] = [];
    const run = client.runTools({
      prompt: 'Weather please.',
      tools: { get_weather: weatherTool(log) },
      toolChoice: 'any',
      maxSteps: 2,
    });
    const result = await run.finalResult();
    expect(result.finishReason).toBe('max-steps');
    expect(result.steps).toHaveLength(2);
    expect(log).toHaveLength(2);
    expect(result.stopReason).toBe('tool_use');
    expect(emu.requestLog.entries().length - before).toBe(2);
  });

  it('abort() during a step ends the stream with an AbortError and runs no tool', async () => {
    const log: string[] = [];
    const run = client.runTools({
      prompt: 'What is the get_weather in Rome?',
      tools: { get_weather: weatherTool(log) },
    });
    const seen: ToolRunEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of run) {
          seen.push(event);
          if (event.type === 'tool-call-start') run.abort();
        }
      })(),
    );
    expect(error).toBeInstanceOf(AbortError);
    expect(log).toEqual([]);
    expect(seen.some((e) => e.type === 'tool-call')).toBe(false);
    await expect(run.finalResult()).rejects.toBeInstanceOf(AbortError);
  });

  it("the caller's signal aborts the running tools, which see it through their own signal", async () => {
    const controller = new AbortController();
    let toolSignal: AbortSignal | undefined;
    const run = client.runTools({
      prompt: 'What is the get_weather in Oslo?',
      signal: controller.signal,
      tools: {
        get_weather: {
          inputSchema: citySchema,
          execute: (_input, { signal }) => {
            toolSignal = signal;
            controller.abort();
            // A tool that never settles by itself: only the abort ends the run.
            return new Promise(() => undefined);
          },
        },
      },
    });
    const error = await rejection(run.finalResult());
    expect(error).toBeInstanceOf(AbortError);
    expect(toolSignal?.aborted).toBe(true);
  });

  it('leaving the events early ends the run; leaving at the last step-finish keeps its result', async () => {
    const log: string[] = [];
    const early = client.runTools({
      prompt: 'What is the get_weather in Lima?',
      tools: { get_weather: weatherTool(log) },
    });
    for await (const event of early) if (event.type === 'step-start') break;
    await expect(early.finalResult()).rejects.toBeInstanceOf(AbortError);
    expect(early.signal.aborted).toBe(true);
    expect(log).toEqual([]);

    const late = client.runTools({
      prompt: 'What is the get_weather in Lima?',
      tools: { get_weather: weatherTool(log) },
    });
    for await (const event of late) if (event.type === 'step-finish' && event.result.toolCalls.length === 0) break;
    const result = await late.finalResult();
    expect(result.finishReason).toBe('answered');
    expect(result.steps).toHaveLength(2);
  });

  it('refuses a bad run at once', () => {
    expect(() => client.runTools({ prompt: 'x', tools: {} })).toThrow(ValidationError);
    expect(() => client.runTools({ prompt: 'x', tools: { get_weather: weatherTool([]) }, maxSteps: 0 })).toThrow(
      /maxSteps must be a whole number/,
    );
    // The first step's request is checked at once too (Llama's native format has no tools).
    expect(() =>
      client.runTools({
        modelId: 'meta.llama3-8b-instruct-v1:0',
        prompt: 'x',
        tools: { get_weather: weatherTool([]) },
      }),
    ).toThrow(/takes no tools/);
  });
});
