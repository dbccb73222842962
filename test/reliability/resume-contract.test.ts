/**
 * What `resume: true` promises (issue 14, defects 7 and 8): the whole answer, resumes included, stays
 * within maxTokens (the continuation's budget is counted in tokens, not chunks); a reasoning request
 * whose answer text had begun is continued (Claude thinking by prefill, DeepSeek R1 by writing the
 * reasoning and the partial answer into its prompt), byte-exact at every cut point; and where a
 * family's format cannot continue an answer, the error says exactly why instead of telling the caller
 * to pass the resume: true they passed.
 */
import { describe, expect, it } from 'vitest';
import { StreamInterruptedError, type BedrockInferenceError } from '../../src/errors.js';
import { rejection, useEmulatorClient } from '../client/emulator-harness.js';

const rig = useEmulatorClient();

const prompt = 'Write a long story about a lighthouse keeper.';
const maxTokensOf = (body: unknown) => (body as { max_tokens: number }).max_tokens;

describe('resume keeps the whole answer within maxTokens', () => {
  it.each([20, 40, 60])(
    'cut after %i events: output tokens of all attempts together stay <= maxTokens',
    async (afterChunks) => {
      rig.emu.faults.add({
        fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks },
      });
      const result = await rig.client.invokeStream({ prompt, maxTokens: 400, resume: true }).finalResult();
      const [first, second] = rig.emu.requestLog.entries();
      expect(first?.outcome).toBe('fault'); // the cut happened mid-answer
      expect(result.resumes).toBe(1);
      expect(result.usage.outputTokens).toBeLessThanOrEqual(400);
      // The continuation asked for what was left, not 400 less a chunk count.
      expect(maxTokensOf(second!.body)).toBeLessThanOrEqual(400 - Math.ceil(first!.chunksSent / 2));
    },
  );
});

describe('resume with reasoning', () => {
  const thinking = { prompt, maxTokens: 3000, reasoning: { budgetTokens: 1024 }, resume: true };

  it('a Claude thinking request cut after its answer began is continued to exactly the scripted answer', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence ${i + 1} of the answer.`).join(' ');
    rig.emu.scripts.add({ answer: { text, reasoning: 'Let me think about lighthouses first.' } });
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 12 },
    });
    const stream = rig.client.invokeStream(thinking);
    const result = await stream.finalResult();
    expect(result.resumes).toBe(1);
    expect(result.text).toBe(text);
    expect(result.reasoning).toBe('Let me think about lighthouses first.');
    // The continuation is a plain prefill: the reasoning was already streamed.
    const continuation = rig.emu.requestLog.entries()[1]!.body as { thinking?: unknown; messages: { role: string }[] };
    expect(continuation.thinking).toBeUndefined();
    expect(continuation.messages.at(-1)?.role).toBe('assistant');
  });

  it('a cut while the model is still reasoning says a reasoning block cannot be continued', async () => {
    rig.emu.scripts.add({ answer: { text: 'Short answer.', reasoning: 'Thinking. '.repeat(200) } });
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 },
    });
    const stream = rig.client.invokeStream(thinking);
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as Error).message).toMatch(
      /resume is not possible here: the stream broke while the model was still reasoning/,
    );
    expect((error as Error).message).not.toMatch(/pass resume: true/);
  });
});

describe('resume of DeepSeek R1 (its prompt is ours: the reasoning and the partial answer go into it)', () => {
  const R1 = 'us.deepseek.r1-v1:0';
  const REASONING_CUT =
    'resume is not possible here: the stream broke while the model was still reasoning, before any answer text; a reasoning block cannot be continued (retry the request).';

  it('every cut point ends byte-exact as the uninterrupted answer, or (inside the reasoning) says why not', async () => {
    const clean = await rig.client.invokeStream({ prompt, modelId: R1, maxTokens: 2000 }).finalResult();
    const chunks = rig.emu.requestLog.entries()[0]!.chunksSent;
    expect(clean.reasoning.length).toBeGreaterThan(0);
    expect(clean.text.length).toBeGreaterThan(0);
    let resumed = 0;
    let inReasoning = 0;
    for (let afterChunks = 1; afterChunks < chunks; afterChunks++) {
      rig.emu.requestLog.clear();
      rig.emu.faults.clear();
      rig.emu.faults.add({
        fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks },
      });
      const stream = rig.client.invokeStream({ prompt, modelId: R1, maxTokens: 2000, resume: true });
      let delivered = '';
      let partialLength: number | undefined;
      let failure: unknown;
      try {
        for await (const event of stream.events()) {
          if (event.type === 'text') delivered += event.delta;
          if (event.type === 'resume') partialLength = event.partialLength;
        }
      } catch (error) {
        failure = error;
      }
      const [first, second] = rig.emu.requestLog.entries();
      expect(first?.outcome, `cut after ${afterChunks}`).toBe('fault');
      if (failure === undefined) {
        // Cut after the answer began: continued once, the caller saw exactly the uninterrupted answer.
        resumed++;
        expect(delivered, `cut after ${afterChunks}`).toBe(clean.text);
        const result = await stream.finalResult();
        expect(result).toMatchObject({ text: clean.text, reasoning: clean.reasoning, resumes: 1 });
        expect(result.stopReason).toBe(clean.stopReason);
        // The continuation wrote the reasoning, the closed think block and the partial answer.
        const partial = clean.text.slice(0, partialLength).trimEnd();
        expect(partial.length).toBeGreaterThan(0);
        const continued = (second!.body as { prompt: string }).prompt;
        expect(continued.endsWith(`\n</think>\n\n${partial}`), `cut after ${afterChunks}`).toBe(true);
        expect(continued).toContain(`<｜Assistant｜><think>\n${clean.reasoning.trimEnd()}\n</think>`);
      } else {
        // Cut inside the reasoning: no answer text to continue, and the error says exactly that.
        inReasoning++;
        expect(failure, `cut after ${afterChunks}`).toBeInstanceOf(StreamInterruptedError);
        expect((failure as Error).message).toContain(REASONING_CUT);
        expect(delivered).toBe('');
        expect((failure as BedrockInferenceError).partialText).toBe('');
        expect(rig.emu.requestLog.entries()).toHaveLength(1);
      }
    }
    expect(resumed).toBeGreaterThanOrEqual(5);
    expect(inReasoning).toBeGreaterThanOrEqual(5);
  });

  it('a caller-given assistant turn stays history: the partial answer follows the new think block', async () => {
    const messages = [
      { role: 'user' as const, content: 'Hello.' },
      { role: 'assistant' as const, content: 'Hello to you.' },
      { role: 'user' as const, content: prompt },
    ];
    const clean = await rig.client.invokeStream({ messages, modelId: R1, maxTokens: 2000 }).finalResult();
    const chunks = rig.emu.requestLog.entries()[0]!.chunksSent;
    rig.emu.requestLog.clear();
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: chunks - 4 },
    });
    const result = await rig.client
      .invokeStream({ messages, modelId: R1, maxTokens: 2000, resume: true })
      .finalResult();
    expect(result).toMatchObject({ text: clean.text, resumes: 1 });
    const continued = (rig.emu.requestLog.entries()[1]!.body as { prompt: string }).prompt;
    expect(continued).toContain('<｜Assistant｜>Hello to you.<｜end▁of▁sentence｜><｜User｜>');
  });

  it('through Converse, where the prompt is not ours, it says to use InvokeModel', async () => {
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 40 },
    });
    const stream = rig.client.invokeStream({ prompt, modelId: R1, api: 'converse', maxTokens: 2000, resume: true });
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as Error).message).toContain(
      "resume is not possible here: DeepSeek R1's answer is continued by writing its own prompt, which only InvokeModel takes (use api: 'invoke').",
    );
    expect((error as StreamInterruptedError).partialText).toBe(stream.text);
  });
});

describe('families whose format cannot continue an answer say why', () => {
  it.each([
    [
      'mistral.mistral-large-2407-v1:0',
      "Mistral Large's chat format on Bedrock takes a trailing assistant message as history, not as the start of its reply",
    ],
    ['cohere.command-r-v1:0', "Command R's chat format has no assistant prefill (chat_history and message only)"],
    [
      'ai21.jamba-1-5-mini-v1:0',
      "Jamba's chat format takes a trailing assistant message as history, not as the start of its reply",
    ],
    [
      'openai.gpt-oss-20b-1:0',
      "gpt-oss's chat format takes a trailing assistant message as history, not as the start of its reply",
    ],
  ])('%s', async (modelId, why) => {
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 },
    });
    const stream = rig.client.invokeStream({ prompt, modelId, maxTokens: 300, resume: true });
    const error = await rejection(stream.finalResult());
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as Error).message).toContain(`resume is not possible here: ${why}.`);
    expect((error as Error).message).not.toMatch(/pass resume: true/);
    expect((error as StreamInterruptedError).partialText).toBe(stream.text);
  });

  it('without resume, a family that could continue still says how to turn it on', async () => {
    rig.emu.faults.add({
      fault: { kind: 'stream-exception', exceptionType: 'internalServerException', afterChunks: 6 },
    });
    const error = await rejection(rig.client.invokeStream({ prompt, maxTokens: 300 }).finalResult());
    expect((error as Error).message).toMatch(/pass resume: true/);
  });
});
