/**
 * The real @aws-sdk/client-bedrock-runtime against the emulator, for every model family: the streamed text
 * equals the InvokeModel text, stop reasons use each family's vocabulary, and token counts agree with the
 * invocation metrics. Converse, ConverseStream and CountTokens are checked on the same models.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/server.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface FamilyCase {
  modelId: string;
  body(maxTokens: number): object;
  /** The visible text of one stream chunk (reasoning markers included where the family inlines them). */
  chunkText(chunk: Json): string;
  invokeText(body: Json): string;
  /** The family's raw stop reason, read from the stream's chunks. */
  streamStop(chunks: Json[]): unknown;
  invokeStop(body: Json): unknown;
  stops: [natural: unknown, maxTokens: unknown];
  /** The family's own output token counter in the stream, when it has one. */
  streamOutputTokens?(chunks: Json[]): number;
  /** Reasoning inlined in the visible text: splits it into [reasoning, answer] for token counting. */
  split?(visible: string): [string, string];
}

const question = 'What did Mrs. Bennet think of Mr. Bingley?';
const chat = (maxTokens: number, key = 'max_tokens') => ({
  messages: [{ role: 'user', content: question }],
  [key]: maxTokens,
});

const CASES: Record<string, FamilyCase> = {
  'anthropic-messages': {
    modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    body: (max) => ({ anthropic_version: 'bedrock-2023-05-31', ...chat(max) }),
    chunkText: (c) => (c.type === 'content_block_delta' && c.delta.type === 'text_delta' ? c.delta.text : ''),
    invokeText: (b) => b.content.map((block: Json) => block.text ?? '').join(''),
    streamStop: (chunks) => chunks.find((c) => c.type === 'message_delta')!.delta.stop_reason,
    invokeStop: (b) => b.stop_reason,
    stops: ['end_turn', 'max_tokens'],
    streamOutputTokens: (chunks) => chunks.find((c) => c.type === 'message_delta')!.usage.output_tokens,
  },
  'anthropic-text': {
    modelId: 'anthropic.claude-v2:1',
    body: (max) => ({ prompt: `\n\nHuman: ${question}\n\nAssistant:`, max_tokens_to_sample: max }),
    chunkText: (c) => c.completion,
    invokeText: (b) => b.completion,
    streamStop: (chunks) => chunks.at(-1)!.stop_reason,
    invokeStop: (b) => b.stop_reason,
    stops: ['stop_sequence', 'max_tokens'],
  },
  'titan-text': {
    modelId: 'amazon.titan-text-premier-v1:0',
    body: (max) => ({ inputText: `User: ${question}\nBot:`, textGenerationConfig: { maxTokenCount: max } }),
    chunkText: (c) => c.outputText,
    invokeText: (b) => b.results[0].outputText,
    streamStop: (chunks) => chunks.at(-1)!.completionReason,
    invokeStop: (b) => b.results[0].completionReason,
    stops: ['FINISH', 'LENGTH'],
    streamOutputTokens: (chunks) => chunks.at(-1)!.totalOutputTextTokenCount,
  },
  nova: {
    modelId: 'eu.amazon.nova-pro-v1:0',
    body: (max) => ({
      messages: [{ role: 'user', content: [{ text: question }] }],
      inferenceConfig: { maxTokens: max },
    }),
    chunkText: (c) => c.contentBlockDelta?.delta.text ?? '',
    invokeText: (b) => b.output.message.content[0].text,
    streamStop: (chunks) => chunks.find((c) => c.messageStop)!.messageStop.stopReason,
    invokeStop: (b) => b.stopReason,
    stops: ['end_turn', 'max_tokens'],
    streamOutputTokens: (chunks) => chunks.at(-1)!.metadata.usage.outputTokens,
  },
  llama: {
    modelId: 'us.meta.llama3-3-70b-instruct-v1:0',
    body: (max) => ({
      prompt: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${question}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
      max_gen_len: max,
    }),
    chunkText: (c) => c.generation,
    invokeText: (b) => b.generation,
    streamStop: (chunks) => chunks.at(-1)!.stop_reason,
    invokeStop: (b) => b.stop_reason,
    stops: ['stop', 'length'],
    streamOutputTokens: (chunks) => chunks.at(-1)!.generation_token_count,
  },
  'mistral-text': {
    modelId: 'mistral.mixtral-8x7b-instruct-v0:1',
    body: (max) => ({ prompt: `<s>[INST] ${question} [/INST]`, max_tokens: max }),
    chunkText: (c) => c.outputs[0].text,
    invokeText: (b) => b.outputs[0].text,
    streamStop: (chunks) => chunks.at(-1)!.outputs[0].stop_reason,
    invokeStop: (b) => b.outputs[0].stop_reason,
    stops: ['stop', 'length'],
  },
  'mistral-chat': {
    modelId: 'mistral.mistral-large-2407-v1:0',
    body: (max) => chat(max),
    chunkText: (c) => c.choices[0].message.content,
    invokeText: (b) => b.choices[0].message.content,
    streamStop: (chunks) => chunks.at(-1)!.choices[0].stop_reason,
    invokeStop: (b) => b.choices[0].stop_reason,
    stops: ['stop', 'length'],
  },
  'cohere-r': {
    modelId: 'cohere.command-r-plus-v1:0',
    body: (max) => ({ message: question, max_tokens: max }),
    chunkText: (c) => (c.event_type === 'text-generation' ? c.text : ''),
    invokeText: (b) => b.text,
    streamStop: (chunks) => chunks.at(-1)!.finish_reason,
    invokeStop: (b) => b.finish_reason,
    stops: ['COMPLETE', 'MAX_TOKENS'],
    streamOutputTokens: (chunks) => chunks.at(-1)!.response.meta.billed_units.output_tokens,
  },
  'cohere-command': {
    modelId: 'cohere.command-text-v14',
    body: (max) => ({ prompt: question, max_tokens: max }),
    chunkText: (c) => c.text ?? '',
    invokeText: (b) => b.generations[0].text,
    streamStop: (chunks) => chunks.at(-1)!.finish_reason,
    invokeStop: (b) => b.generations[0].finish_reason,
    stops: ['COMPLETE', 'MAX_TOKENS'],
  },
  'ai21-jamba': {
    modelId: 'ai21.jamba-1-5-large-v1:0',
    body: (max) => chat(max),
    chunkText: (c) => c.choices?.[0].delta.content ?? '',
    invokeText: (b) => b.choices[0].message.content,
    streamStop: (chunks) => chunks.at(-2)!.choices[0].finish_reason,
    invokeStop: (b) => b.choices[0].finish_reason,
    stops: ['stop', 'length'],
    streamOutputTokens: (chunks) => chunks.at(-2)!.usage.completion_tokens,
  },
  'deepseek-r1': {
    modelId: 'us.deepseek.r1-v1:0',
    body: (max) => ({
      prompt: `<｜begin▁of▁sentence｜><｜User｜>${question}<｜Assistant｜><think>\n`,
      max_tokens: max,
    }),
    chunkText: (c) => c.choices[0].text,
    invokeText: (b) => b.choices[0].text,
    streamStop: (chunks) => chunks.at(-1)!.choices[0].stop_reason,
    invokeStop: (b) => b.choices[0].stop_reason,
    stops: ['stop', 'length'],
    split: (visible) => visible.split('\n</think>\n\n') as [string, string],
  },
  'openai-gpt-oss': {
    modelId: 'openai.gpt-oss-120b-1:0',
    body: (max) => chat(max, 'max_completion_tokens'),
    chunkText: (c) => c.choices[0].delta.content ?? '',
    invokeText: (b) => b.choices[0].message.content,
    streamStop: (chunks) => chunks.at(-1)!.choices[0].finish_reason,
    invokeStop: (b) => b.choices[0].finish_reason,
    stops: ['stop', 'length'],
    split: (visible) => visible.replace('<reasoning>', '').split('</reasoning>') as [string, string],
  },
};

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let client: BedrockRuntimeClient;
/** The SDK's default HTTP/2 handler (h2c) and NodeHttpHandler (HTTP/1.1); every family runs over both. */
const clients: Record<string, BedrockRuntimeClient> = {};
const decoder = new TextDecoder();

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, speed: 'instant' });
  client = new BedrockRuntimeClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  clients['HTTP/2'] = client;
  clients['HTTP/1.1'] = new BedrockRuntimeClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
  });
});

afterAll(async () => {
  for (const each of Object.values(clients)) each.destroy();
  await emulator?.close();
});

async function invokeStream(modelId: string, body: object, via = client): Promise<Json[]> {
  const response = await via.send(
    new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body), contentType: 'application/json' }),
  );
  const chunks: Json[] = [];
  for await (const event of response.body!) {
    if (event.chunk?.bytes) chunks.push(JSON.parse(decoder.decode(event.chunk.bytes)) as Json);
  }
  return chunks;
}

async function invoke(modelId: string, body: object, via = client): Promise<Json> {
  const response = await via.send(new InvokeModelCommand({ modelId, body: JSON.stringify(body) }));
  return JSON.parse(decoder.decode(response.body)) as Json;
}

const METRICS = 'amazon-bedrock-invocationMetrics';

const TRANSPORTS = ['HTTP/2', 'HTTP/1.1'] as const;
const FAMILY_CASES = Object.entries(CASES).flatMap(([family, c]) =>
  TRANSPORTS.map((transport) => [family, transport, c] as const),
);

describe.each(FAMILY_CASES)('%s through the AWS SDK over %s', (_family, transport, c) => {
  const via = () => clients[transport]!;

  it('streams the same text InvokeModel returns, with consistent token counts', async () => {
    const chunks = await invokeStream(c.modelId, c.body(400), via());
    const streamed = chunks.map(c.chunkText).join('');
    const whole = await invoke(c.modelId, c.body(400), via());
    expect(streamed.length).toBeGreaterThan(10);
    expect(streamed).toBe(c.invokeText(whole));
    expect(c.streamStop(chunks)).toBe(c.stops[0]);
    expect(c.invokeStop(whole)).toBe(c.stops[0]);

    const metrics = chunks.at(-1)![METRICS] as Json;
    expect(chunks.filter((chunk) => chunk[METRICS]).length).toBe(1);
    const [reasoning, answer] = c.split ? c.split(streamed) : ['', streamed];
    if (c.split) expect(reasoning.length).toBeGreaterThan(0);
    expect(metrics.outputTokenCount).toBe(countTokens(reasoning) + countTokens(answer));
    if (c.streamOutputTokens) expect(c.streamOutputTokens(chunks)).toBe(metrics.outputTokenCount);
    expect(metrics.inputTokenCount).toBeGreaterThan(0);
  });

  it('stops at the token budget with the family’s length reason', async () => {
    const chunks = await invokeStream(c.modelId, c.body(5), via());
    expect(c.streamStop(chunks)).toBe(c.stops[1]);
    expect((chunks.at(-1)![METRICS] as Json).outputTokenCount).toBe(5);
    expect(c.invokeStop(await invoke(c.modelId, c.body(5), via()))).toBe(c.stops[1]);
  });

  it('answers Converse and ConverseStream with the same text and usage', async () => {
    const input = {
      modelId: c.modelId,
      messages: [{ role: 'user' as const, content: [{ text: question }] }],
      inferenceConfig: { maxTokens: 400 },
    };
    const whole = await via().send(new ConverseCommand(input));
    const content = whole.output!.message!.content!;
    const text = content.map((block) => block.text ?? '').join('');
    const reasoning = content.map((block) => block.reasoningContent?.reasoningText?.text ?? '').join('');
    expect(whole.stopReason).toBe('end_turn');
    expect(whole.usage!.outputTokens).toBe(countTokens(reasoning) + countTokens(text));

    const stream = await via().send(new ConverseStreamCommand(input));
    let streamed = '';
    let streamedReasoning = '';
    let stopReason: string | undefined;
    let usage: Json | undefined;
    for await (const event of stream.stream!) {
      streamed += event.contentBlockDelta?.delta?.text ?? '';
      streamedReasoning += event.contentBlockDelta?.delta?.reasoningContent?.text ?? '';
      stopReason = event.messageStop?.stopReason ?? stopReason;
      usage = event.metadata?.usage ?? usage;
    }
    expect(streamed).toBe(text);
    expect(streamedReasoning).toBe(reasoning);
    expect(stopReason).toBe('end_turn');
    expect(usage).toEqual(whole.usage);
  });
});

describe('CountTokens through the AWS SDK', () => {
  it('counts an InvokeModel body as the stream reports its input tokens', async () => {
    const c = CASES['anthropic-messages']!;
    const body = c.body(100);
    const chunks = await invokeStream(c.modelId, body);
    const counted = await client.send(
      new CountTokensCommand({
        modelId: c.modelId,
        input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(body)) } },
      }),
    );
    expect(counted.inputTokens).toBe(chunks[0]!.message.usage.input_tokens);
  });

  it('counts a Converse input as Converse reports it', async () => {
    const messages = [{ role: 'user' as const, content: [{ text: question }] }];
    const modelId = CASES.nova!.modelId;
    const counted = await client.send(new CountTokensCommand({ modelId, input: { converse: { messages } } }));
    const whole = await client.send(new ConverseCommand({ modelId, messages, inferenceConfig: { maxTokens: 5 } }));
    expect(counted.inputTokens).toBe(whole.usage!.inputTokens);
  });
});

describe('model resolution through the AWS SDK', () => {
  it('accepts inference-profile ARNs and rejects bare profile-only ids with Bedrock’s message', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0';
    const chunks = await invokeStream(arn, CASES['anthropic-messages']!.body(5));
    expect(chunks[0]!.type).toBe('message_start');
    await expect(
      invoke('anthropic.claude-haiku-4-5-20251001-v1:0', CASES['anthropic-messages']!.body(5)),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('with on-demand throughput isn’t supported'),
    });
    await expect(invoke('nobody.nothing-v1', { prompt: 'x' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'The provided model identifier is invalid.',
    });
  });

  it('returns the family’s validation message as a ValidationException', async () => {
    await expect(
      invoke(CASES['anthropic-messages']!.modelId, { ...CASES['anthropic-messages']!.body(5), stream: true }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        'Malformed input request: #: extraneous key [stream] is not permitted, please reformat your input and try again.',
    });
  });
});
