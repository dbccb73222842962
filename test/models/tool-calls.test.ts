/**
 * Tool calls decoded from recorded chunk sequences (test/fixtures/models/*tool*.jsonl, composed from
 * bedrock-wire.md §4/§5 and the vercel/ai Bedrock tool-call fixture) through the client's real frame path,
 * each family's non-streaming response, and the request bodies each family gets for tools and tool turns.
 */
import { describe, expect, it } from 'vitest';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { decodeEventStream } from '../../src/client/event-stream/decoder.js';
import { decodeJsonPayload } from '../../src/client/event-stream/chunk-payload.js';
import { ToolInputError, ValidationError } from '../../src/errors.js';
import { buildConverseInput, createConverseDecoder, decodeConverseResponse } from '../../src/models/converse.js';
import { resolveAdapter } from '../../src/models/registry.js';
import { ToolCallAssembler } from '../../src/models/tool-call-assembler.js';
import { checkConverseTools, checkNativeTools } from '../../src/models/tool-support.js';
import type { ChatMessage, ModelFamily, NormalizedRequest } from '../../src/models/types.js';
import { concat, converseFrame, reads } from '../client/event-stream/frames.js';
import { fixtureLines, replay } from './chunk-fixtures.js';

const toolEvents = (events: readonly ChunkEvent[]) => events.filter((e) => e.type.startsWith('tool-call'));
const stops = (events: readonly ChunkEvent[]) => events.filter((e) => e.type === 'stop');

/** Each call's fragments joined must equal the JSON its tool-call event parsed. */
function expectFragmentsMatchInput(events: readonly ChunkEvent[]): void {
  const fragments = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'tool-call-delta') fragments.set(event.id, (fragments.get(event.id) ?? '') + event.inputDelta);
    if (event.type === 'tool-call') {
      const joined = fragments.get(event.id) ?? '';
      expect(joined === '' ? {} : JSON.parse(joined)).toEqual(event.input);
    }
  }
}

describe('streamed tool calls, per family', () => {
  /**
   * Each family's recorded chunks replayed through its adapter: the tool events it gives (when `toolEvents`
   * is set), any family-specific checks (`also`), then one stop with reason tool_use and the family's raw one.
   */
  const families: {
    title: string;
    modelId: string;
    fixture: string;
    toolEvents?: ChunkEvent[];
    also?: (events: readonly ChunkEvent[]) => void;
    rawReason: string;
  }[] = [
    {
      title: 'Claude: text block, then tool_use blocks with input_json_delta fragments (one with no input)',
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      fixture: 'anthropic-tool-use.chunks.jsonl',
      toolEvents: [
        { type: 'tool-call-start', id: 'toolu_bdrk_01A', name: 'get_weather' },
        { type: 'tool-call-delta', id: 'toolu_bdrk_01A', inputDelta: '{"location": "San Fra' },
        { type: 'tool-call-delta', id: 'toolu_bdrk_01A', inputDelta: 'ncisco, CA", "unit": "fah' },
        { type: 'tool-call-delta', id: 'toolu_bdrk_01A', inputDelta: 'renheit"}' },
        {
          type: 'tool-call',
          id: 'toolu_bdrk_01A',
          name: 'get_weather',
          input: { location: 'San Francisco, CA', unit: 'fahrenheit' },
        },
        { type: 'tool-call-start', id: 'toolu_bdrk_01B', name: 'get_time' },
        { type: 'tool-call', id: 'toolu_bdrk_01B', name: 'get_time', input: {} },
      ],
      also: (events) =>
        expect(events.filter((e) => e.type === 'text')).toEqual([{ type: 'text', delta: 'Let me check the weather.' }]),
      rawReason: 'tool_use',
    },
    {
      title: 'Nova: contentBlockStart toolUse, toolUse input deltas, contentBlockStop',
      modelId: 'us.amazon.nova-pro-v1:0',
      fixture: 'nova-tool-use.chunks.jsonl',
      toolEvents: [
        { type: 'tool-call-start', id: 'tool-use-id', name: 'test-tool' },
        { type: 'tool-call-delta', id: 'tool-use-id', inputDelta: '{"value":' },
        { type: 'tool-call-delta', id: 'tool-use-id', inputDelta: '"Sparkle Day"}' },
        { type: 'tool-call', id: 'tool-use-id', name: 'test-tool', input: { value: 'Sparkle Day' } },
      ],
      rawReason: 'tool_use',
    },
    {
      title: 'gpt-oss: OpenAI-style tool_calls deltas by index, ended by finish_reason tool_calls',
      modelId: 'openai.gpt-oss-20b-1:0',
      fixture: 'openai-tool-calls.chunks.jsonl',
      also: (events) => {
        expectFragmentsMatchInput(events);
        expect(events.filter((e) => e.type === 'tool-call')).toEqual([
          { type: 'tool-call', id: 'call_abc123', name: 'get_weather', input: { location: 'Paris' } },
          { type: 'tool-call', id: 'call_def456', name: 'get_time', input: {} },
        ]);
        expect(events.filter((e) => e.type === 'tool-call-delta')).toHaveLength(3);
      },
      rawReason: 'tool_calls',
    },
    {
      title: 'Mistral chat: a whole call in message.tool_calls, stop_reason tool_calls',
      modelId: 'mistral.mistral-large-2407-v1:0',
      fixture: 'mistral-chat-tool-calls.chunks.jsonl',
      toolEvents: [
        { type: 'tool-call-start', id: 'D681PevKs', name: 'get_weather' },
        { type: 'tool-call-delta', id: 'D681PevKs', inputDelta: '{"location": "Paris"}' },
        { type: 'tool-call', id: 'D681PevKs', name: 'get_weather', input: { location: 'Paris' } },
      ],
      rawReason: 'tool_calls',
    },
    {
      title: 'Command R: tool-calls-chunk fragments, ids made from the generation id, COMPLETE read as tool_use',
      modelId: 'cohere.command-r-plus-v1:0',
      fixture: 'cohere-tool-calls.chunks.jsonl',
      toolEvents: [
        { type: 'tool-call-start', id: 'gen-7f3a-call-0', name: 'get_weather' },
        { type: 'tool-call-delta', id: 'gen-7f3a-call-0', inputDelta: '{"location": "Pa' },
        { type: 'tool-call-delta', id: 'gen-7f3a-call-0', inputDelta: 'ris"}' },
        { type: 'tool-call', id: 'gen-7f3a-call-0', name: 'get_weather', input: { location: 'Paris' } },
      ],
      rawReason: 'COMPLETE',
    },
  ];

  for (const family of families) {
    it(family.title, async () => {
      const adapter = resolveAdapter(family.modelId);
      const events = await replay(family.fixture, adapter.createChunkDecoder(), adapter.deltaTemplates);
      if (family.toolEvents) expect(toolEvents(events)).toEqual(family.toolEvents);
      family.also?.(events);
      expect(stops(events)).toEqual([{ type: 'stop', reason: 'tool_use', rawReason: family.rawReason }]);
    });
  }

  it('Converse: toolUse start/delta/stop events after a text block (with the p padding)', async () => {
    const lines = fixtureLines('converse-tool-use.events.jsonl').map((line) => JSON.parse(line) as [string, unknown]);
    const body = concat(lines.map(([eventType, payload]) => converseFrame(eventType, payload)));
    const decode = createConverseDecoder();
    const events: ChunkEvent[] = [];
    for await (const message of decodeEventStream(reads(body, 7))) {
      decode(message.eventType ?? '', decodeJsonPayload(message.payload), (event) => events.push(event));
    }
    expect(toolEvents(events)).toEqual([
      { type: 'tool-call-start', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song' },
      { type: 'tool-call-delta', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', inputDelta: '{"sign": "W' },
      { type: 'tool-call-delta', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', inputDelta: 'ZPZ"}' },
      { type: 'tool-call', id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } },
    ]);
    expect(events[0]).toEqual({ type: 'text', delta: 'Checking.' });
    expect(stops(events)).toEqual([{ type: 'stop', reason: 'tool_use', rawReason: 'tool_use' }]);
  });
});

describe('invalid tool input', () => {
  it('throws ToolInputError at the block end, keeping the raw fragments', () => {
    const adapter = resolveAdapter('anthropic.claude-3-haiku-20240307-v1:0');
    const decode = adapter.createChunkDecoder();
    const events: ChunkEvent[] = [];
    const emit = (e: ChunkEvent) => events.push(e);
    decode(
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't1', name: 'f', input: {} } },
      emit,
    );
    decode(
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a": ' } },
      emit,
    );
    decode({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'nope}' } }, emit);
    let caught: unknown;
    try {
      decode({ type: 'content_block_stop', index: 0 }, emit);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ToolInputError);
    const error = caught as ToolInputError;
    expect(error.inputFragments).toEqual(['{"a": ', 'nope}']);
    expect(error.inputText).toBe('{"a": nope}');
    expect(error.toolName).toBe('f');
    expect(error.partialToolCall).toEqual({ id: 't1', name: 'f', inputFragments: ['{"a": ', 'nope}'] });
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('tool call f (t1) is not valid JSON');
  });

  it('the assembler ignores fragments for a block it never saw start', () => {
    const events: ChunkEvent[] = [];
    const assembler = new ToolCallAssembler();
    assembler.delta(3, '{"x":1}', (e) => events.push(e));
    assembler.finish(3, (e) => events.push(e));
    expect(events).toEqual([]);
  });
});

describe('non-streaming responses give the same events', () => {
  const cases: [string, Record<string, unknown>][] = [
    [
      'anthropic.claude-3-haiku-20240307-v1:0',
      {
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    ],
    [
      'us.amazon.nova-lite-v1:0',
      {
        output: {
          message: {
            content: [
              { text: 'Checking.' },
              { toolUse: { toolUseId: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } } },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 10, outputTokens: 5 },
      },
    ],
    [
      'openai.gpt-oss-120b-1:0',
      {
        choices: [
          {
            message: {
              content: 'Checking.',
              tool_calls: [
                {
                  id: 'toolu_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
      },
    ],
    [
      'ai21.jamba-1-5-mini-v1:0',
      {
        choices: [
          {
            message: {
              content: 'Checking.',
              tool_calls: [
                {
                  id: 'toolu_1',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
                },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
      },
    ],
  ];
  it.each(cases)('%s', (modelId, body) => {
    const events: ChunkEvent[] = [];
    resolveAdapter(modelId).decodeResponse(body, (e) => events.push(e));
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
    ]);
    expect(events.find((e) => e.type === 'text')).toEqual({ type: 'text', delta: 'Checking.' });
    expect(stops(events)[0]).toMatchObject({ reason: 'tool_use' });
  });

  it('Command R: tool_calls with made-up ids, COMPLETE read as tool_use', () => {
    const events: ChunkEvent[] = [];
    resolveAdapter('cohere.command-r-v1:0').decodeResponse(
      {
        text: '',
        generation_id: 'g1',
        tool_calls: [{ name: 'get_weather', parameters: { location: 'Paris' } }],
        finish_reason: 'COMPLETE',
      },
      (e) => events.push(e),
    );
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'g1-call-0', name: 'get_weather', input: { location: 'Paris' } },
    ]);
    expect(stops(events)).toEqual([{ type: 'stop', reason: 'tool_use', rawReason: 'COMPLETE' }]);
  });

  it('Converse: toolUse blocks', () => {
    const events: ChunkEvent[] = [];
    decodeConverseResponse(
      {
        output: {
          message: { role: 'assistant', content: [{ toolUse: { toolUseId: 'c1', name: 'f', input: { a: 1 } } }] },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
        metrics: { latencyMs: 5 },
        $metadata: {},
      },
      (e) => events.push(e),
    );
    expect(toolEvents(events)).toEqual([
      { type: 'tool-call-start', id: 'c1', name: 'f' },
      { type: 'tool-call-delta', id: 'c1', inputDelta: '{"a":1}' },
      { type: 'tool-call', id: 'c1', name: 'f', input: { a: 1 } },
    ]);
  });
});

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a place',
  inputSchema: {
    type: 'object',
    properties: { location: { type: 'string', description: 'City' }, days: { type: 'integer' } },
    required: ['location'],
  },
};

/** A two-step conversation: the question, the model's tool call, the tool's result (one ok, one failed). */
const toolConversation: ChatMessage[] = [
  { role: 'user', content: 'What is the weather in Paris?' },
  {
    role: 'assistant',
    content: [
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool-call', id: 'call_2', name: 'get_weather', input: { location: 'Nice' } },
    ],
  },
  {
    role: 'user',
    content: [
      { type: 'tool-result', toolCallId: 'call_1', content: { json: { celsius: 21 } } },
      { type: 'tool-result', toolCallId: 'call_2', content: 'service down', isError: true },
    ],
  },
];

const request = (extra: Partial<NormalizedRequest> = {}): NormalizedRequest => ({
  messages: toolConversation,
  maxTokens: 100,
  tools: [weatherTool],
  ...extra,
});

describe('request bodies with tools', () => {
  it('Claude: tools with input_schema, tool_choice, tool_use and tool_result blocks (is_error)', () => {
    const body = resolveAdapter('anthropic.claude-3-haiku-20240307-v1:0').buildRequest(
      request({ toolChoice: { name: 'get_weather' } }),
    );
    expect(body.tools).toEqual([
      { name: 'get_weather', description: 'Weather for a place', input_schema: weatherTool.inputSchema },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    const messages = body.messages as { content: unknown }[];
    expect(messages[1]!.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { location: 'Nice' } },
    ]);
    expect(messages[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: '{"celsius":21}' },
      { type: 'tool_result', tool_use_id: 'call_2', content: 'service down', is_error: true },
    ]);
    for (const choice of ['auto', 'any', 'none'] as const) {
      expect(
        resolveAdapter('anthropic.claude-3-haiku-20240307-v1:0').buildRequest(request({ toolChoice: choice }))
          .tool_choice,
      ).toEqual({ type: choice });
    }
  });

  it('Converse: toolConfig, toolUse and toolResult blocks (json content, status error)', () => {
    const input = buildConverseInput('anthropic.claude-3-haiku-20240307-v1:0', request({ toolChoice: 'any' }));
    expect(input.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Weather for a place',
            inputSchema: { json: weatherTool.inputSchema },
          },
        },
      ],
      toolChoice: { any: {} },
    });
    expect(input.messages![1]!.content).toEqual([
      { text: 'Checking.' },
      { toolUse: { toolUseId: 'call_1', name: 'get_weather', input: { location: 'Paris' } } },
      { toolUse: { toolUseId: 'call_2', name: 'get_weather', input: { location: 'Nice' } } },
    ]);
    expect(input.messages![2]!.content).toEqual([
      { toolResult: { toolUseId: 'call_1', content: [{ json: { celsius: 21 } }] } },
      { toolResult: { toolUseId: 'call_2', content: [{ text: 'service down' }], status: 'error' } },
    ]);
    expect(buildConverseInput('x', request({ toolChoice: { name: 'get_weather' } })).toolConfig?.toolChoice).toEqual({
      tool: { name: 'get_weather' },
    });
  });

  it('Nova: the same toolConfig and blocks in the messages-v1 body', () => {
    const body = resolveAdapter('us.amazon.nova-pro-v1:0').buildRequest(request({ toolChoice: 'auto' }));
    expect(body.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Weather for a place',
            inputSchema: { json: weatherTool.inputSchema },
          },
        },
      ],
      toolChoice: { auto: {} },
    });
    expect((body.messages as { content: unknown[] }[])[2]!.content[1]).toEqual({
      toolResult: { toolUseId: 'call_2', content: [{ text: 'service down' }], status: 'error' },
    });
  });

  it('gpt-oss: function tools, required for any, assistant tool_calls and tool messages', () => {
    const body = resolveAdapter('openai.gpt-oss-20b-1:0').buildRequest(request({ toolChoice: 'any' }));
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather for a place', parameters: weatherTool.inputSchema },
      },
    ]);
    expect(body.tool_choice).toBe('required');
    expect(body.messages).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Nice"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Error: service down' },
    ]);
    expect(
      resolveAdapter('openai.gpt-oss-20b-1:0').buildRequest(request({ toolChoice: { name: 'get_weather' } }))
        .tool_choice,
    ).toEqual({
      type: 'function',
      function: { name: 'get_weather' },
    });
  });

  it('Mistral chat: any stays any, tool messages carry the tool name', () => {
    const body = resolveAdapter('mistral.mistral-large-2407-v1:0').buildRequest(request({ toolChoice: 'any' }));
    expect(body.tool_choice).toBe('any');
    expect((body.messages as unknown[])[2]).toEqual({
      role: 'tool',
      tool_call_id: 'call_1',
      name: 'get_weather',
      content: '{"celsius":21}',
    });
  });

  it('Command R: parameter_definitions, CHATBOT tool_calls in the history, tool_results for the last turn', () => {
    const body = resolveAdapter('cohere.command-r-v1:0').buildRequest(request());
    expect(body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a place',
        parameter_definitions: {
          location: { description: 'City', type: 'str', required: true },
          days: { type: 'int', required: false },
        },
      },
    ]);
    expect(body.message).toBe('');
    expect(body.chat_history).toEqual([
      { role: 'USER', message: 'What is the weather in Paris?' },
      {
        role: 'CHATBOT',
        message: 'Checking.',
        tool_calls: [
          { name: 'get_weather', parameters: { location: 'Paris' } },
          { name: 'get_weather', parameters: { location: 'Nice' } },
        ],
      },
    ]);
    expect(body.tool_results).toEqual([
      { call: { name: 'get_weather', parameters: { location: 'Paris' } }, outputs: [{ celsius: 21 }] },
      { call: { name: 'get_weather', parameters: { location: 'Nice' } }, outputs: [{ error: 'service down' }] },
    ]);
  });
});

describe('a cache point after the tool definitions (cachePoints.tools)', () => {
  it('Claude marks the last tool; Converse and Nova append a cachePoint to toolConfig.tools', () => {
    const cached = request({ cachePoints: { tools: true } });
    const claude = resolveAdapter('anthropic.claude-3-haiku-20240307-v1:0').buildRequest(cached);
    expect((claude.tools as Record<string, unknown>[]).at(-1)).toMatchObject({ cache_control: { type: 'ephemeral' } });
    expect(buildConverseInput('x', cached).toolConfig?.tools?.at(-1)).toEqual({ cachePoint: { type: 'default' } });
    const nova = resolveAdapter('us.amazon.nova-pro-v1:0').buildRequest(cached);
    expect((nova.toolConfig as { tools: unknown[] }).tools).toHaveLength(2);
  });
});

describe('families and choices without tools are refused before any call, naming the fix', () => {
  const refused: [ModelFamily, string][] = [
    ['llama', 'meta.llama3-8b-instruct-v1:0'],
    ['titan', 'amazon.titan-text-express-v1'],
    ['mistral', 'mistral.mistral-7b-instruct-v0:2'],
    ['deepseek', 'us.deepseek.r1-v1:0'],
    ['anthropic-text', 'anthropic.claude-v2'],
    ['cohere-command', 'cohere.command-text-v14'],
  ];
  it.each(refused)('%s', (family) => {
    expect(() => checkNativeTools(family, request())).toThrow(ValidationError);
    expect(() => checkNativeTools(family, request())).toThrow(/takes no tools: send this request with api: 'converse'/);
    // Tool parts in the history count too, without tool definitions.
    expect(() => checkNativeTools(family, { messages: toolConversation, maxTokens: 10 })).toThrow(/takes no tools/);
  });

  it('tool choices a format cannot express', () => {
    expect(() => checkNativeTools('nova', request({ toolChoice: 'none' }))).toThrow(/cannot express toolChoice 'none'/);
    expect(() => checkNativeTools('mistral-chat', request({ toolChoice: { name: 'get_weather' } }))).toThrow(
      /cannot express toolChoice \{ name: "get_weather" \}/,
    );
    expect(() => checkNativeTools('ai21', request({ toolChoice: 'any' }))).toThrow(/leave toolChoice out/);
    expect(() => checkNativeTools('cohere', request({ toolChoice: 'any' }))).toThrow(ValidationError);
    expect(() => checkConverseTools(request({ toolChoice: 'none' }))).toThrow(/Converse's toolChoice has no 'none'/);
    expect(() => checkNativeTools('anthropic', request({ toolChoice: 'none' }))).not.toThrow();
    expect(() => checkNativeTools('openai', request({ toolChoice: { name: 'get_weather' } }))).not.toThrow();
  });
});
