/**
 * The continuation rule end to end: a stream broken mid-answer by a scripted fault, resumed with the
 * received text as the assistant prefill, yields exactly the rest of the uninterrupted answer.
 * Real AWS SDK against the emulator; the break is a modelled mid-stream exception.
 */
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { Message } from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/server.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let client: BedrockRuntimeClient;
const decoder = new TextDecoder();
const CLAUDE = 'us.anthropic.claude-3-7-sonnet-20250219-v1:0';
const question = 'Tell me, in 6 sentences, about the assembly at Meryton.';

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, speed: 'instant' });
  client = new BedrockRuntimeClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client?.destroy();
  await emulator?.close();
});

/** Claude text deltas until the stream ends or throws; returns the text and whether it broke. */
async function claudeStream(messages: object[]): Promise<{ text: string; broke: boolean; outputTokens?: number }> {
  const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 2000, messages });
  const response = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body }));
  let text = '';
  let outputTokens: number | undefined;
  try {
    for await (const event of response.body!) {
      if (!event.chunk?.bytes) continue;
      const chunk = JSON.parse(decoder.decode(event.chunk.bytes)) as {
        type: string;
        delta?: { text?: string };
        usage?: { output_tokens: number };
      };
      if (chunk.type === 'content_block_delta') text += chunk.delta?.text ?? '';
      if (chunk.type === 'message_delta') outputTokens = chunk.usage?.output_tokens;
    }
  } catch {
    return { text, broke: true };
  }
  return outputTokens === undefined ? { text, broke: false } : { text, broke: false, outputTokens };
}

describe('resuming an interrupted answer through the AWS SDK', () => {
  it('InvokeModelWithResponseStream: partial + continuation === the uninterrupted answer', async () => {
    const messages = [{ role: 'user', content: question }];
    const full = await claudeStream(messages);
    expect(full.broke).toBe(false);
    for (const afterChunks of [3, 6, 10]) {
      emulator.faults.add({
        fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks },
        match: { modelId: CLAUDE, operation: 'InvokeModelWithResponseStream' },
      });
      const partial = await claudeStream(messages);
      expect(partial.broke).toBe(true);
      expect(partial.text.length).toBeGreaterThan(0);
      expect(full.text.startsWith(partial.text)).toBe(true);
      const rest = await claudeStream([...messages, { role: 'assistant', content: partial.text }]);
      expect(rest.broke).toBe(false);
      expect(partial.text + rest.text).toBe(full.text);
      // Only the new tokens are billed on the resumed call.
      expect(rest.outputTokens).toBe(countTokens(rest.text));
    }
  });

  it('ConverseStream: partial + continuation === the uninterrupted answer', async () => {
    const modelId = 'eu.amazon.nova-lite-v1:0';
    const messages: Message[] = [{ role: 'user', content: [{ text: question }] }];
    const run = async (history: Message[]) => {
      const response = await client.send(new ConverseStreamCommand({ modelId, messages: history }));
      let text = '';
      try {
        for await (const event of response.stream!) text += event.contentBlockDelta?.delta?.text ?? '';
      } catch {
        return { text, broke: true };
      }
      return { text, broke: false };
    };
    const full = await run(messages);
    emulator.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'modelStreamErrorException', afterChunks: 5 },
      match: { modelId, operation: 'ConverseStream' },
    });
    const partial = await run(messages);
    expect(partial.broke).toBe(true);
    const rest = await run([...messages, { role: 'assistant', content: [{ text: partial.text }] }]);
    expect(partial.text + rest.text).toBe(full.text);
  });
});
