/**
 * /v1/chat/completions with tools and images, driven by the real `openai` client against the real server
 * and emulator: a full tool round trip streamed (delta.tool_calls: index, id, name first, then argument
 * fragments; finish_reason tool_calls) and not streamed; the assistant's tool_calls and `tool` messages
 * go back in the history and the model answers from the result; an image travels as a data: URL.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../../support/media-samples.js';
import { CLAUDE, postJson, startHarness, type Harness } from './server-harness.js';

let h: Harness;
let openai: OpenAI;
beforeAll(async () => {
  h = await startHarness();
  openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
});

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Please use get_weather for Lisbon.' };

describe('OpenAI tools with the real openai client', () => {
  it('streams a tool call (name first, then argument fragments), then the result round trip', async () => {
    const stream = await openai.chat.completions.create({ model: CLAUDE, messages: [question], tools, stream: true });
    const entries: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      entries.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    const [first, ...rest] = entries;
    expect(first).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(first!.id).toMatch(/\S/);
    expect(rest.length).toBeGreaterThan(0);
    expect(
      rest.every((entry) => entry.index === 0 && entry.id === undefined && entry.function?.name === undefined),
    ).toBe(true);
    const argumentsText = entries.map((entry) => entry.function?.arguments ?? '').join('');
    const input = JSON.parse(argumentsText) as { city: unknown };
    expect(typeof input.city).toBe('string');

    const answer = await openai.chat.completions.create({
      model: CLAUDE,
      tools,
      messages: [
        question,
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: first!.id!, type: 'function', function: { name: 'get_weather', arguments: argumentsText } },
          ],
        },
        { role: 'tool', tool_call_id: first!.id!, content: 'Cloudy, 17 degrees' },
      ],
      stream: true,
    });
    let text = '';
    let answerFinish: string | null = null;
    for await (const chunk of answer) {
      text += chunk.choices[0]?.delta.content ?? '';
      answerFinish = chunk.choices[0]?.finish_reason ?? answerFinish;
    }
    expect(text).toContain('Cloudy, 17 degrees');
    expect(answerFinish).toBe('stop');
  });

  it('the openai helper stream accumulates the call into a final message', async () => {
    const runner = openai.chat.completions.stream({ model: CLAUDE, messages: [question], tools });
    const completion = await runner.finalChatCompletion();
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type).toBe('function');
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: expect.any(String) });
  });

  it('non-streaming: message.tool_calls with JSON arguments and content null; tool_choice required forces a call', async () => {
    const completion = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: 'user', content: 'Hello.' }],
      tools,
      tool_choice: 'required',
    });
    const message = completion.choices[0]!.message;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toHaveLength(1);
    const call = message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: expect.any(String) });

    const answer = await openai.chat.completions.create({
      model: CLAUDE,
      tools,
      messages: [
        { role: 'user', content: 'Hello.' },
        message,
        { role: 'tool', tool_call_id: call.id, content: 'Rain all day' },
      ],
    });
    expect(answer.choices[0]!.message.content).toContain('Rain all day');
    expect(answer.choices[0]!.finish_reason).toBe('stop');
  });

  it('tool_choice none answers in text even when the text names a tool', async () => {
    const completion = await openai.chat.completions.create({
      model: CLAUDE,
      messages: [question],
      tools,
      tool_choice: 'none',
      max_tokens: 20,
    });
    expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
    expect(completion.choices[0]!.finish_reason).not.toBe('tool_calls');
  });
});

describe('OpenAI images', () => {
  it('takes an image_url data: URL as an image part', async () => {
    const url = `data:image/png;base64,${Buffer.from(png(8, 8)).toString('base64')}`;
    const completion = await openai.chat.completions.create({
      model: CLAUDE,
      max_tokens: 20,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).not.toBe('');
  });

  it('refuses a remote image URL with a 400 saying to send the bytes as a data: URL', async () => {
    const error = await openai.chat.completions
      .create({
        model: CLAUDE,
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const body = (error as InstanceType<typeof OpenAI.BadRequestError>).error as { fix?: string; field?: string };
    expect(body.field).toBe('messages[0].content[0].image_url.url');
    expect(body.fix).toMatch(/data: URL/);
  });

  it('refuses image bytes that are not an image with a 400 naming the part', async () => {
    const response = await postJson(`${h.url}/v1/chat/completions`, {
      model: CLAUDE,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'image_url',
              image_url: { url: `data:image/png;base64,${Buffer.from('hello').toString('base64')}` },
            },
          ],
        },
      ],
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('messages[0].content[0]');
  });
});
