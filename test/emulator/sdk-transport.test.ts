/**
 * The real AWS SDK against the emulator over both transports: its default HTTP/2 handler (h2c) and
 * NodeHttpHandler (HTTP/1.1). Streams must carry the same text as the non-streaming answer.
 */
import { ConverseCommand, ConverseStreamCommand, CountTokensCommand } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLAUDE, claudeBody, collectInvokeStream, invokeText, sdkClient } from './support.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, speed: 'instant' });
});
afterAll(() => emulator.close());

describe.each([
  ['HTTP/2 (the SDK default)', false],
  ['HTTP/1.1 (NodeHttpHandler)', true],
])('over %s', (_name, http1) => {
  it('streams a Claude answer whose text equals InvokeModel, with metrics on the last chunk', async () => {
    const client = sdkClient(emulator.url, { http1 });
    const body = claudeBody('Tell me about the sea.', 80);
    const streamed = await collectInvokeStream(client, CLAUDE, body);
    const whole = await invokeText(client, CLAUDE, body);

    expect(streamed.error).toBeUndefined();
    expect(streamed.text.length).toBeGreaterThan(0);
    expect(streamed.text).toBe(whole.text);
    expect(streamed.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(streamed.contentType).toBe('application/json');

    const types = streamed.chunks.map((chunk) => chunk['type']);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    const metrics = streamed.chunks.at(-1)?.['amazon-bedrock-invocationMetrics'] as Record<string, number>;
    expect(metrics.inputTokenCount).toBe(whole.parsed.usage.input_tokens);
    expect(metrics.outputTokenCount).toBe(whole.parsed.usage.output_tokens);
    expect(Number(whole.response.$metadata.httpStatusCode)).toBe(200);
    client.destroy();
  });

  it('answers Converse, ConverseStream and CountTokens', async () => {
    const client = sdkClient(emulator.url, { http1 });
    const input = {
      modelId: CLAUDE,
      messages: [{ role: 'user' as const, content: [{ text: 'Describe a quiet morning.' }] }],
      inferenceConfig: { maxTokens: 60, temperature: 0 },
    };
    const whole = await client.send(new ConverseCommand(input));
    const wholeText = whole.output?.message?.content?.map((block) => block.text ?? '').join('') ?? '';
    expect(wholeText.length).toBeGreaterThan(0);

    const stream = await client.send(new ConverseStreamCommand(input));
    let text = '';
    let stopReason: string | undefined;
    let usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined;
    for await (const event of stream.stream ?? []) {
      if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
      if (event.messageStop) stopReason = event.messageStop.stopReason;
      if (event.metadata) usage = event.metadata.usage;
    }
    expect(text).toBe(wholeText);
    expect(stopReason).toBe(whole.stopReason);
    expect(usage?.outputTokens).toBe(whole.usage?.outputTokens);

    const counted = await client.send(
      new CountTokensCommand({ modelId: CLAUDE, input: { converse: { messages: input.messages } } }),
    );
    expect(counted.inputTokens).toBe(whole.usage?.inputTokens);
    client.destroy();
  });
});

describe('model ids', () => {
  it('accepts inference-profile ids and ARNs exactly as the SDK encodes them', async () => {
    const client = sdkClient(emulator.url);
    const body = claudeBody('Hello there', 20);
    const plain = await invokeText(client, CLAUDE, body);
    const viaProfile = await invokeText(client, `us.${CLAUDE}`, body);
    const viaArn = await invokeText(
      client,
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${CLAUDE}`,
      body,
    );
    const viaFoundationArn = await invokeText(client, `arn:aws:bedrock:us-east-1::foundation-model/${CLAUDE}`, body);
    expect(viaProfile.text).toBe(plain.text);
    expect(viaArn.text).toBe(plain.text);
    expect(viaFoundationArn.text).toBe(plain.text);
    const logged = emulator.requestLog
      .entries()
      .slice(-3)
      .map((entry) => entry.modelId);
    expect(logged[1]).toBe(`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${CLAUDE}`);
    client.destroy();
  });
});

describe('plain HTTP (curl)', () => {
  it('returns an event stream with Bedrock headers to a raw HTTP/1.1 POST with an unencoded id', async () => {
    const response = await fetch(`${emulator.url}/model/${CLAUDE}/invoke-with-response-stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: claudeBody('Hi', 10),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    expect(response.headers.get('x-amzn-bedrock-content-type')).toBe('application/json');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.readUInt32BE(0)).toBeLessThanOrEqual(bytes.length);
    expect(bytes.toString('latin1')).toContain(':event-type');
  });

  it('answers InvokeModel with the token-count and latency headers', async () => {
    const response = await fetch(`${emulator.url}/model/${encodeURIComponent(CLAUDE)}/invoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: claudeBody('Hi', 10),
    });
    const body = (await response.json()) as { usage: { input_tokens: number; output_tokens: number } };
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(Number(response.headers.get('x-amzn-bedrock-input-token-count'))).toBe(body.usage.input_tokens);
    expect(Number(response.headers.get('x-amzn-bedrock-output-token-count'))).toBe(body.usage.output_tokens);
    expect(Number(response.headers.get('x-amzn-bedrock-invocation-latency'))).toBeGreaterThanOrEqual(0);
    expect(response.headers.get('date')).not.toBeNull();
  });

  it("serves a usage page and Bedrock's answer to an unroutable path", async () => {
    const home = (await (await fetch(emulator.url)).json()) as { endpoint: string };
    expect(home.endpoint).toBe(emulator.url);
    const unknown = await fetch(`${emulator.url}/model/a/b/invoke`, { method: 'POST', body: '{}' });
    expect(await unknown.json()).toEqual({
      Output: { __type: 'com.amazon.coral.service#UnknownOperationException' },
      Version: '1.0',
    });
  });
});
