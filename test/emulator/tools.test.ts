/**
 * Tool use through the real AWS SDK over HTTP, for every family that has tools: streamed argument
 * fragments join to JSON that validates against the tool's schema, the stop reason is tool_use, and a
 * second turn carrying the result is answered in text quoting it. Also the choice contract (auto by name,
 * none, any, a named tool), Bedrock's errors for bad tools and for a result without its call, and scripted
 * tool calls.
 */
import {
  ConverseCommand,
  ConverseStreamCommand,
  type ContentBlock,
  type Message,
  type Tool,
} from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { collectInvokeStream, invokeJson, rejection, useEmulator, type Json } from './support.js';

const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const NOVA = 'us.amazon.nova-pro-v1:0';
const MISTRAL = 'mistral.mistral-large-2407-v1:0';
const JAMBA = 'ai21.jamba-1-5-large-v1:0';
const GPT_OSS = 'openai.gpt-oss-120b-1:0';
const COHERE = 'cohere.command-r-plus-v1:0';
const LLAMA = 'meta.llama3-1-70b-instruct-v1:0';
const TITAN = 'amazon.titan-text-express-v1';

const WEATHER_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    hourly: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['city', 'unit', 'days'],
};
const TIME_SCHEMA = { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] };

/** A small JSON-schema check (the subset the emulator generates for). */
function validates(value: unknown, schema: Json): boolean {
  if (schema.enum) return schema.enum.includes(value);
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return (
        Number.isInteger(value) &&
        (schema.minimum === undefined || (value as number) >= schema.minimum) &&
        (schema.maximum === undefined || (value as number) <= schema.maximum)
      );
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value) && value.every((item) => validates(item, schema.items ?? {}));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const object = value as Json;
      if ((schema.required ?? []).some((key: string) => !(key in object))) return false;
      return Object.entries(object).every(
        ([key, inner]) => schema.properties?.[key] && validates(inner, schema.properties[key]),
      );
    }
    default:
      return true;
  }
}

const rig = useEmulator();

const invoke = (modelId: string, body: Json) => invokeJson(rig.client, modelId, body);

async function stream(modelId: string, body: Json) {
  const collected = await collectInvokeStream(rig.client, modelId, JSON.stringify(body));
  if (collected.error) throw collected.error;
  return collected.chunks as Json[];
}

describe('Claude messages', () => {
  const tools = [
    { name: 'get_weather', description: 'Weather', input_schema: WEATHER_SCHEMA },
    { name: 'get_time', description: 'Time', input_schema: TIME_SCHEMA },
  ];
  const base = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 300, tools };

  it('streams a tool_use block whose input_json_delta fragments join to schema-valid JSON, then answers the result', async () => {
    const question = { role: 'user', content: 'What does get_weather say for Paris?' };
    const chunks = await stream(CLAUDE, { ...base, messages: [question] });
    const start = chunks.find((c) => c.type === 'content_block_start')!;
    expect(start.content_block).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
    expect(start.content_block.id).toMatch(/^toolu_bdrk_/);
    const fragments = chunks
      .filter((c) => c.type === 'content_block_delta' && c.delta.type === 'input_json_delta')
      .map((c) => c.delta.partial_json as string);
    expect(fragments.filter((f) => f !== '').length).toBeGreaterThan(1);
    const input = JSON.parse(fragments.join(''));
    expect(validates(input, WEATHER_SCHEMA)).toBe(true);
    expect(chunks.find((c) => c.type === 'message_delta')!.delta.stop_reason).toBe('tool_use');
    expect(chunks.at(-1)!['amazon-bedrock-invocationMetrics']).toBeDefined();

    // The same request gives the same call (seeded), so a client can replay it.
    const again = await stream(CLAUDE, { ...base, messages: [question] });
    expect(again.find((c) => c.type === 'content_block_start')!.content_block.id).toBe(start.content_block.id);

    const id = start.content_block.id as string;
    const followUp = await stream(CLAUDE, {
      ...base,
      messages: [
        question,
        { role: 'assistant', content: [{ type: 'tool_use', id, name: 'get_weather', input }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: '18 degrees and sunny' }] },
      ],
    });
    const text = followUp
      .filter((c) => c.type === 'content_block_delta' && c.delta.type === 'text_delta')
      .map((c) => c.delta.text)
      .join('');
    expect(text).toBe('The tool returned: 18 degrees and sunny.');
    expect(followUp.find((c) => c.type === 'message_delta')!.delta.stop_reason).toBe('end_turn');
  });

  it('calls every named tool in order of appearance (parallel), or only the first when parallel use is off', async () => {
    const messages = [{ role: 'user', content: 'First get_time, then get_weather please.' }];
    const body = await invoke(CLAUDE, { ...base, messages });
    expect(body.stop_reason).toBe('tool_use');
    expect(body.content.map((b: Json) => b.name)).toEqual(['get_time', 'get_weather']);
    expect(validates(body.content[0].input, TIME_SCHEMA)).toBe(true);
    const single = await invoke(CLAUDE, {
      ...base,
      messages,
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
    expect(single.content.map((b: Json) => b.name)).toEqual(['get_time']);
  });

  it('answers in text when no tool is named, with none, and calls with any or a named tool', async () => {
    const unnamed = await invoke(CLAUDE, { ...base, messages: [{ role: 'user', content: 'Hello there.' }] });
    expect(unnamed.stop_reason).toBe('end_turn');
    expect(unnamed.content[0].type).toBe('text');
    const messages = [{ role: 'user', content: 'Use get_weather.' }];
    const none = await invoke(CLAUDE, { ...base, messages, tool_choice: { type: 'none' } });
    expect(none.content.every((b: Json) => b.type === 'text')).toBe(true);
    const any = await invoke(CLAUDE, {
      ...base,
      messages: [{ role: 'user', content: 'Hi' }],
      tool_choice: { type: 'any' },
    });
    expect(any.content).toEqual([expect.objectContaining({ type: 'tool_use', name: 'get_weather' })]);
    const named = await invoke(CLAUDE, { ...base, messages, tool_choice: { type: 'tool', name: 'get_time' } });
    expect(named.content.map((b: Json) => b.name)).toEqual(['get_time']);
    expect(rig.emu.requestLog.entries().at(-1)).toMatchObject({
      tools: ['get_weather', 'get_time'],
      toolChoice: 'tool:get_time',
    });
  });

  it('rejects a tool_result whose id has no tool_use in the previous turn, and bad tool definitions', async () => {
    const orphan = await rejection(
      invoke(CLAUDE, {
        ...base,
        messages: [
          { role: 'user', content: 'get_weather' },
          { role: 'assistant', content: 'No call here.' },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_missing', content: 'x' }] },
        ],
      }),
    );
    expect(orphan.name).toBe('ValidationException');
    expect(orphan.message).toContain('unexpected `tool_use_id` found in `tool_result` blocks: toolu_missing');
    const badName = await rejection(
      invoke(CLAUDE, {
        ...base,
        tools: [{ name: 'bad name', input_schema: TIME_SCHEMA }],
        messages: [{ role: 'user', content: 'x' }],
      }),
    );
    expect(badName.message).toBe("tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
    const noName = await rejection(
      invoke(CLAUDE, { ...base, tools: [{ input_schema: TIME_SCHEMA }], messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(noName.message).toBe('tools.0.custom.name: Field required');
    const notObject = await rejection(
      invoke(CLAUDE, {
        ...base,
        tools: [{ name: 't', input_schema: { type: 'string' } }],
        messages: [{ role: 'user', content: 'x' }],
      }),
    );
    expect(notObject.message).toBe("tools.0.custom.input_schema.type: Input should be 'object'");
  });

  it('makes the tool calls a scripted answer names, after its text', async () => {
    rig.emu.scripts.add({
      match: { prompt: 'book a table' },
      answer: { text: 'Booking now.', toolCalls: [{ name: 'get_time', input: { zone: 'Europe/Paris' } }] },
      times: 1,
    });
    const chunks = await stream(CLAUDE, { ...base, messages: [{ role: 'user', content: 'Please book a table.' }] });
    const text = chunks
      .filter((c) => c.type === 'content_block_delta' && c.delta.type === 'text_delta')
      .map((c) => c.delta.text)
      .join('');
    expect(text).toBe('Booking now.');
    const fragments = chunks
      .filter((c) => c.type === 'content_block_delta' && c.delta.type === 'input_json_delta')
      .map((c) => c.delta.partial_json)
      .join('');
    expect(JSON.parse(fragments)).toEqual({ zone: 'Europe/Paris' });
    const starts = chunks.filter((c) => c.type === 'content_block_start').map((c) => c.content_block.type);
    expect(starts).toEqual(['text', 'tool_use']);
  });
});

describe('Converse', () => {
  const toolConfig = {
    tools: [
      { toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: WEATHER_SCHEMA } } },
      { toolSpec: { name: 'get_time', description: 'Time', inputSchema: { json: TIME_SCHEMA } } },
    ] as Tool[],
  };

  it('streams contentBlockStart.toolUse and toolUse.input fragments, then answers the toolResult', async () => {
    const question: Message = { role: 'user', content: [{ text: 'Ask get_weather about Oslo.' }] };
    const response = await rig.client.send(
      new ConverseStreamCommand({ modelId: CLAUDE, messages: [question], toolConfig }),
    );
    let start: Json | undefined;
    let input = '';
    let pieces = 0;
    let stopReason: string | undefined;
    for await (const event of response.stream!) {
      if (event.contentBlockStart) start = event.contentBlockStart.start?.toolUse as Json;
      if (event.contentBlockDelta?.delta?.toolUse) {
        input += event.contentBlockDelta.delta.toolUse.input;
        pieces++;
      }
      if (event.messageStop) stopReason = event.messageStop.stopReason;
    }
    expect(start).toMatchObject({ name: 'get_weather' });
    expect(start!.toolUseId).toMatch(/^tooluse_/);
    expect(pieces).toBeGreaterThan(1);
    const parsed = JSON.parse(input);
    expect(validates(parsed, WEATHER_SCHEMA)).toBe(true);
    expect(stopReason).toBe('tool_use');

    const followUp = await rig.client.send(
      new ConverseCommand({
        modelId: NOVA,
        toolConfig,
        messages: [
          question,
          {
            role: 'assistant',
            content: [{ toolUse: { toolUseId: start!.toolUseId, name: 'get_weather', input: parsed } }],
          },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: start!.toolUseId, content: [{ json: { temperature: 4 } }] } }],
          },
        ],
      }),
    );
    expect(followUp.stopReason).toBe('end_turn');
    expect(followUp.output?.message?.content?.[0]?.text).toBe('The tool returned: {"temperature":4}.');
  });

  it('answers toolChoice any and a named tool with a call, and rejects a result without its call', async () => {
    const messages: Message[] = [{ role: 'user', content: [{ text: 'Hi.' }] }];
    const any = await rig.client.send(
      new ConverseCommand({ modelId: CLAUDE, messages, toolConfig: { ...toolConfig, toolChoice: { any: {} } } }),
    );
    expect(any.stopReason).toBe('tool_use');
    const block = any.output?.message?.content?.[0] as ContentBlock.ToolUseMember;
    expect(block.toolUse.name).toBe('get_weather');
    expect(validates(block.toolUse.input, WEATHER_SCHEMA)).toBe(true);
    const named = await rig.client.send(
      new ConverseCommand({
        modelId: CLAUDE,
        messages,
        toolConfig: { ...toolConfig, toolChoice: { tool: { name: 'get_time' } } },
      }),
    );
    expect((named.output?.message?.content?.[0] as ContentBlock.ToolUseMember).toolUse.name).toBe('get_time');

    const orphan = await rejection(
      rig.client.send(
        new ConverseCommand({
          modelId: CLAUDE,
          toolConfig,
          messages: [
            { role: 'user', content: [{ text: 'get_time' }] },
            { role: 'assistant', content: [{ text: 'ok' }] },
            { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_nope', content: [{ text: 'x' }] } }] },
          ],
        }),
      ),
    );
    expect(orphan.name).toBe('ValidationException');
    expect(orphan.message).toBe(
      'The number of toolResult blocks at messages.2.content exceeds the number of toolUse blocks of previous turn.',
    );
    const noConfig = await rejection(
      rig.client.send(
        new ConverseCommand({
          modelId: CLAUDE,
          messages: [{ role: 'user', content: [{ toolResult: { toolUseId: 'a', content: [{ text: 'x' }] } }] }],
        }),
      ),
    );
    expect(noConfig.message).toBe(
      'The toolConfig field must be defined when using toolUse and toolResult content blocks.',
    );
    const titan = await rejection(
      rig.client.send(
        new ConverseCommand({
          modelId: TITAN,
          messages: [{ role: 'user', content: [{ text: 'get_time' }] }],
          toolConfig,
        }),
      ),
    );
    expect(titan.message).toBe("This model doesn't support tool use.");
  });
});

describe('Nova native', () => {
  it('streams contentBlockStart.start.toolUse and delta.toolUse.input strings, stopReason tool_use', async () => {
    const toolConfig = { tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: WEATHER_SCHEMA } } }] };
    const chunks = await stream(NOVA, {
      schemaVersion: 'messages-v1',
      messages: [{ role: 'user', content: [{ text: 'Call get_weather.' }] }],
      toolConfig,
    });
    const start = chunks.find((c) => c.contentBlockStart)!.contentBlockStart;
    expect(start.start.toolUse).toMatchObject({ name: 'get_weather' });
    const input = chunks
      .filter((c) => c.contentBlockDelta?.delta?.toolUse)
      .map((c) => c.contentBlockDelta.delta.toolUse.input)
      .join('');
    expect(validates(JSON.parse(input), WEATHER_SCHEMA)).toBe(true);
    expect(chunks.find((c) => c.messageStop)!.messageStop.stopReason).toBe('tool_use');
  });
});

describe('OpenAI-style tools (Mistral chat, Jamba, gpt-oss)', () => {
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'W', parameters: WEATHER_SCHEMA } }];
  const cases: [string, string, Json][] = [
    [MISTRAL, 'tool_calls', { max_tokens: 200 }],
    [JAMBA, 'tool_calls', { max_tokens: 200 }],
    [GPT_OSS, 'tool_calls', { max_completion_tokens: 200 }],
  ];
  for (const [modelId, finish, extra] of cases) {
    it(`${modelId}: tool_calls fragments join to valid arguments, then the tool message is quoted`, async () => {
      const question = { role: 'user', content: 'Please run get_weather.' };
      const chunks = await stream(modelId, { ...extra, messages: [question], tools });
      const entries = chunks.flatMap((c) => {
        const choice = c.choices?.[0];
        return (choice?.delta?.tool_calls ?? choice?.message?.tool_calls ?? []) as Json[];
      });
      expect(entries[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
      expect(entries.length).toBeGreaterThan(1);
      const args = JSON.parse(entries.map((e) => e.function.arguments).join(''));
      expect(validates(args, WEATHER_SCHEMA)).toBe(true);
      const finishes = chunks.map((c) => c.choices?.[0]?.finish_reason ?? c.choices?.[0]?.stop_reason).filter(Boolean);
      expect(finishes).toEqual([finish]);

      const id = entries[0]!.id as string;
      const body = await invoke(modelId, {
        ...extra,
        tools,
        messages: [
          question,
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(args) } }],
          },
          { role: 'tool', tool_call_id: id, content: 'rainy' },
        ],
      });
      expect(body.choices[0].message.content).toContain('The tool returned: rainy.');
      const orphan = await rejection(
        invoke(modelId, {
          ...extra,
          tools,
          messages: [question, { role: 'tool', tool_call_id: 'nope', content: 'x' }],
        }),
      );
      expect(orphan.name).toBe('ValidationException');
    });
  }

  it('gpt-oss honours tool_choice none and parallel_tool_calls: false', async () => {
    const two = [...tools, { type: 'function', function: { name: 'get_time', parameters: TIME_SCHEMA } }];
    const messages = [{ role: 'user', content: 'get_time and get_weather' }];
    const none = await invoke(GPT_OSS, { messages, tools: two, tool_choice: 'none' });
    expect(none.choices[0].finish_reason).toBe('stop');
    const parallel = await invoke(GPT_OSS, { messages, tools: two });
    expect(parallel.choices[0].message.tool_calls.map((c: Json) => c.function.name)).toEqual([
      'get_time',
      'get_weather',
    ]);
    const single = await invoke(GPT_OSS, { messages, tools: two, parallel_tool_calls: false });
    expect(single.choices[0].message.tool_calls).toHaveLength(1);
  });
});

describe('Cohere Command R', () => {
  it('streams tool-calls-chunk then tool-calls-generation, and answers tool_results', async () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather',
        parameter_definitions: { city: { type: 'str', required: true }, days: { type: 'int', required: true } },
      },
    ];
    const chunks = await stream(COHERE, { message: 'Use get_weather for Rome.', tools });
    const deltas = chunks.filter((c) => c.event_type === 'tool-calls-chunk').map((c) => c.tool_call_delta);
    expect(deltas[0]).toEqual({ index: 0, name: 'get_weather' });
    const args = JSON.parse(deltas.map((d) => d.parameters ?? '').join(''));
    expect(typeof args.city).toBe('string');
    expect(Number.isInteger(args.days)).toBe(true);
    const generation = chunks.find((c) => c.event_type === 'tool-calls-generation')!;
    expect(generation.tool_calls).toEqual([{ name: 'get_weather', parameters: args }]);
    expect(chunks.at(-1)!.event_type).toBe('stream-end');

    const answer = await invoke(COHERE, {
      message: '',
      tools,
      tool_results: [{ call: { name: 'get_weather', parameters: args }, outputs: [{ forecast: 'warm' }] }],
    });
    expect(answer.text).toBe('The tool returned: {"forecast":"warm"}.');
  });
});

describe('Llama', () => {
  it('rejects tools: its native prompt format has none', async () => {
    const error = await rejection(invoke(LLAMA, { prompt: 'hi', tools: [] }));
    expect(error.message).toBe(
      'Malformed input request: #: extraneous key [tools] is not permitted, please reformat your input and try again.',
    );
  });
});

describe('tool calls with reasoning', () => {
  it('Claude with thinking streams the thinking block, then the tool_use block', async () => {
    const chunks = await stream('us.anthropic.claude-3-7-sonnet-20250219-v1:0', {
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 3000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ name: 'get_time', input_schema: TIME_SCHEMA }],
      messages: [{ role: 'user', content: 'What does get_time say?' }],
    });
    const starts = chunks.filter((c) => c.type === 'content_block_start').map((c) => c.content_block.type);
    expect(starts).toEqual(['thinking', 'tool_use']);
    expect(chunks.find((c) => c.type === 'message_delta')!.delta.stop_reason).toBe('tool_use');
  });
});
