/**
 * What `resume: true` promises (issue 14, defects 7 and 8): the whole answer, resumes included, stays
 * within maxTokens (the continuation's budget is counted in tokens, not chunks); a reasoning request
 * whose answer text had begun is continued; and where a family's format cannot continue an answer,
 * the error says exactly why instead of telling the caller to pass the resume: true they passed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamInterruptedError } from '../../src/errors.js';
import type { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { Emulator } from '../../src/emulator/server.js';
import { clientFor, rejection, startTestEmulator } from '../client/emulator-harness.js';

let emu: Emulator;
let client: BedrockStreamingClient;
beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu);
});
afterEach(() => {
  emu.faults.clear();
  emu.scripts.clear();
  emu.requestLog.clear();
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});

const prompt = 'Write a long story about a lighthouse keeper.';
const maxTokensOf = (body: unknown) => (body as { max_tokens: number }).max_tokens;

describe('resume keeps the whole answer within maxTokens', () => {
  it.each([20, 40, 60])(
    'cut after %i events: output tokens of all attempts together stay <= maxTokens',
    async (afterChunks) => {
      emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks } });
      const result = await client.invokeStream({ prompt, maxTokens: 400, resume: true }).finalResult();
      const [first, second] = emu.requestLog.entries();
      expect(first?.outcome).toBe('fault'); // the cut happened mid-answer
      expect(result.resumes).toBe(1);
      expect(result.usage.outputTokens).toBeLessThanOrEqual(400);
      // The continuation asked for what was left, not 400 less a chunk count.
      expect(maxTokensOf(second!.body)).toBeLessThanOrEqual(400 - Math.ceil(first!.chunksSent / 2));
    },
  );
});

describe('resume with reasoning', () => {
  it('a Claude thinking request cut after its answer began is continued to exactly the scripted answer', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} of the answer.`).join(' ');
    emu.scripts.add({ answer: { text, reasoning: 'Let me think about lighthouses first.' } });
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 12 } });
    const stream = client.invokeStream({ prompt, maxTokens: 3000, reasoning: { budgetTokens: 1024 }, resume: true });
    const result = await stream.finalResult();
    expect(result.resumes).toBe(1);
    expect(result.text).toBe(text);
    expect(result.reasoning).toBe('Let me think about lighthouses first.');
    // The continuation is a plain prefill: the reasoning was already streamed.
    const continuation = emu.requestLog.entries()[1]!.body as { thinking?: unknown; messages: { role: string }[] };
    expect(continuation.thinking).toBeUndefined();
    expect(continuation.messages.at(-1)?.role).toBe('assistant');
  });

  it('a cut while the model is still reasoning says a reasoning block cannot be continued', async () => {
    emu.scripts.add({ answer: { text: 'Short answer.', reasoning: 'Thinking. '.repeat(200) } });
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 } });
    const stream = client.invokeStream({ prompt, maxTokens: 3000, reasoning: { budgetTokens: 1024 }, resume: true });
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as Error).message).toMatch(
      /resume is not possible here: the stream broke while the model was still reasoning/,
    );
    expect((error as Error).message).not.toMatch(/pass resume: true/);
  });
});

describe('families whose format cannot continue an answer say why', () => {
  it.each([
    ['mistral.mistral-large-2407-v1:0', /Mistral Large's chat format/],
    ['cohere.command-r-v1:0', /Command R's chat format has no assistant prefill/],
    ['ai21.jamba-1-5-mini-v1:0', /Jamba's chat format/],
    ['openai.gpt-oss-20b-1:0', /gpt-oss's chat format/],
    ['deepseek.r1-v1:0', /DeepSeek R1 always reasons first/],
  ])('%s', async (modelId, why) => {
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 } });
    const stream = client.invokeStream({
      prompt,
      modelId: modelId.startsWith('deepseek') ? `us.${modelId}` : modelId,
      maxTokens: 300,
      resume: true,
    });
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as Error).message).toMatch(/resume is not possible here/);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).not.toMatch(/pass resume: true/);
    expect((error as StreamInterruptedError).partialText).toBe(stream.text);
  });

  it('without resume, a family that could continue still says how to turn it on', async () => {
    emu.faults.add({ fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 } });
    const error = await rejection(client.invokeStream({ prompt, maxTokens: 300 }).finalResult());
    expect((error as Error).message).toMatch(/pass resume: true/);
  });
});
