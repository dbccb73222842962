import { describe, expect, it } from 'vitest';
import { converseResponse, createConverseStreamWriter, parseConverseRequest } from '../../../src/emulator/converse.js';
import { countTokensRequest } from '../../../src/emulator/count-tokens.js';
import type { ConverseEvent, GenerationEnd, WriterContext } from '../../../src/emulator/families/types.js';
import { resolveModel } from '../../../src/emulator/model-catalog.js';
import { createMarkovBackend } from '../../../src/emulator/text/markov-backend.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';
import { errorOf } from './run-family.js';

interface Delta {
  contentBlockIndex: number;
  delta: { text?: string; reasoningContent?: { text?: string; signature?: string } };
}
interface ConverseOutput {
  output: { message: { content: { text?: string; reasoningContent?: { reasoningText: { text: string } } }[] } };
}

const claude = resolveModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0');
const body = {
  system: [{ text: 'Be brief.' }],
  messages: [{ role: 'user', content: [{ text: 'What did Mrs. Bennet want?' }] }],
  inferenceConfig: { maxTokens: 400, temperature: 0.5 },
};

async function converseStream(request: unknown, model = claude) {
  const generation = parseConverseRequest(request, model);
  const context: WriterContext = {
    modelId: model.modelId,
    baseModelId: model.baseModelId,
    requestId: 'req-1',
    inputTokens: generation.inputTokens,
  };
  const writer = createConverseStreamWriter(context);
  const events: ConverseEvent[] = [...writer.start()];
  let reasoning = '';
  let text = '';
  const tokens = createMarkovBackend().generate(generation, new AbortController().signal);
  for (;;) {
    const step = await tokens.next();
    if (step.done) {
      const end: GenerationEnd = {
        ...step.value,
        inputTokens: generation.inputTokens,
        metrics: {
          inputTokenCount: generation.inputTokens,
          outputTokenCount: step.value.outputTokens,
          invocationLatency: 90,
          firstByteLatency: 30,
        },
      };
      events.push(...writer.finish(end));
      return {
        events,
        reasoning,
        text,
        end,
        response: converseResponse(context, { reasoning, text, toolCalls: [], end }) as ConverseOutput,
      };
    }
    if (step.value.channel === 'reasoning') {
      reasoning += step.value.text;
      events.push(...writer.reasoning(step.value.text, 1));
    } else {
      text += step.value.text;
      events.push(...writer.text(step.value.text, 1));
    }
  }
}

describe('converse parsing', () => {
  it('builds the same conversation layout as the chat families', () => {
    const request = parseConverseRequest(
      { ...body, inferenceConfig: { ...body.inferenceConfig, stopSequences: ['x'], topP: 0.5 } },
      claude,
    );
    expect(request).toMatchObject({
      conversation: 'System: Be brief.\n\nUser: What did Mrs. Bennet want?',
      maxTokens: 400,
      temperature: 0.5,
      topP: 0.5,
      stopSequences: ['x'],
      reasoning: false,
    });
    expect(request.inputTokens).toBe(countTokens(request.conversation));
  });

  it('validates inferenceConfig with Coral wording', () => {
    const parse = (config: object) => errorOf(() => parseConverseRequest({ ...body, inferenceConfig: config }, claude));
    expect(parse({ maxTokens: 0 }).message).toBe(
      "1 validation error detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(parse({ temperature: 1.5 }).message).toContain("'inferenceConfig.temperature'");
    expect(parse({ topP: -1 }).message).toContain("'inferenceConfig.topP'");
    expect(parse({ stopSequences: [''] }).status).toBe(400);
  });

  it('validates the conversation', () => {
    expect(errorOf(() => parseConverseRequest({ messages: [] }, claude)).message).toContain(
      'must start with a user message',
    );
    const twoUsers = [body.messages[0], body.messages[0]];
    expect(errorOf(() => parseConverseRequest({ messages: twoUsers }, claude)).message).toContain('must alternate');
  });

  it('turns Claude thinking into reasoning and checks the budget', () => {
    const thinking = { thinking: { type: 'enabled', budget_tokens: 1024 } };
    expect(
      parseConverseRequest(
        { ...body, inferenceConfig: { maxTokens: 2000 }, additionalModelRequestFields: thinking },
        claude,
      ).reasoning,
    ).toBe(true);
    expect(
      errorOf(() => parseConverseRequest({ ...body, additionalModelRequestFields: thinking }, claude)).message,
    ).toContain('max_tokens');
    expect(parseConverseRequest(body, resolveModel('us.deepseek.r1-v1:0')).reasoning).toBe(true);
    const prefilled = [...body.messages, { role: 'assistant', content: [{ text: 'She' }] }];
    const withThinking = {
      messages: prefilled,
      inferenceConfig: { maxTokens: 2000 },
      additionalModelRequestFields: thinking,
    };
    expect(errorOf(() => parseConverseRequest(withThinking, claude)).message).toContain(
      'must start with a thinking block',
    );
  });
});

describe('converse stream events', () => {
  it('sends messageStart, text deltas, contentBlockStop, messageStop and metadata', async () => {
    const run = await converseStream(body);
    const types = run.events.map((e) => e.eventType);
    expect(types[0]).toBe('messageStart');
    expect(types.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    const deltas = run.events.filter((e) => e.eventType === 'contentBlockDelta');
    expect(deltas.map((e) => (e.payload.delta as { text: string }).text).join('')).toBe(run.text);
    expect(run.events.at(-2)!.payload).toEqual({
      stopReason: 'end_turn',
      additionalModelResponseFields: { delta: { stop_sequence: null } },
    });
    const outputTokens = countTokens(run.text);
    expect(run.events.at(-1)!.payload).toEqual({
      usage: { inputTokens: run.end.inputTokens, outputTokens, totalTokens: run.end.inputTokens + outputTokens },
      metrics: { latencyMs: 90 },
    });
    expect(run.response).toMatchObject({
      output: { message: { role: 'assistant', content: [{ text: run.text }] } },
      stopReason: 'end_turn',
      usage: { outputTokens },
    });
  });

  it('streams reasoning text then signature in block 0 and the answer in block 1', async () => {
    const run = await converseStream({
      ...body,
      inferenceConfig: { maxTokens: 3000 },
      additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 2000 } },
    });
    const deltas = run.events
      .filter((e) => e.eventType === 'contentBlockDelta')
      .map((e) => e.payload as unknown as Delta);
    const reasoning = deltas
      .filter((d) => d.delta.reasoningContent?.text)
      .map((d) => d.delta.reasoningContent!.text)
      .join('');
    expect(reasoning).toBe(run.reasoning);
    const signatureAt = deltas.findIndex((d) => d.delta.reasoningContent?.signature);
    expect(deltas[signatureAt]!.contentBlockIndex).toBe(0);
    expect(
      deltas.slice(signatureAt + 1).every((d) => d.contentBlockIndex === 1 && typeof d.delta.text === 'string'),
    ).toBe(true);
    const stops = run.events.filter((e) => e.eventType === 'contentBlockStop').map((e) => e.payload.contentBlockIndex);
    expect(stops).toEqual([0, 1]);
    expect(run.end.outputTokens).toBe(countTokens(run.reasoning) + countTokens(run.text));
    expect(run.response.output.message.content[0]!.reasoningContent!.reasoningText.text).toBe(run.reasoning);
  });

  it('reports max_tokens and stop_sequence', async () => {
    expect(
      (await converseStream({ ...body, inferenceConfig: { maxTokens: 3 } })).events.at(-2)!.payload.stopReason,
    ).toBe('max_tokens');
    const full = await converseStream(body);
    const sequence = full.text.split(' ')[2]!;
    const stopped = await converseStream({
      ...body,
      inferenceConfig: { ...body.inferenceConfig, stopSequences: [sequence] },
    });
    expect(stopped.events.at(-2)!.payload).toEqual({
      stopReason: 'stop_sequence',
      additionalModelResponseFields: { delta: { stop_sequence: sequence } },
    });
    const nova = await converseStream(body, resolveModel('us.amazon.nova-pro-v1:0'));
    expect(nova.events.at(-2)!.payload).toEqual({ stopReason: 'end_turn' });
  });

  it('continues a trailing assistant message exactly', async () => {
    const full = await converseStream(body);
    const cut = full.text.slice(0, 15).trimEnd();
    const resumed = await converseStream({
      ...body,
      messages: [...body.messages, { role: 'assistant', content: [{ text: cut }] }],
    });
    expect(cut + resumed.text).toBe(full.text);
  });
});

describe('count tokens', () => {
  const invokeBody = {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Hello there, Mr. Collins.' }],
  };

  it('counts an InvokeModel body sent base64-encoded (as the SDK does), as text or as an object', () => {
    const expected = claude.handler.parseInvokeRequest(invokeBody, { baseModelId: claude.baseModelId }).inputTokens;
    const json = JSON.stringify(invokeBody);
    for (const encoded of [Buffer.from(json).toString('base64'), json, invokeBody]) {
      expect(countTokensRequest({ input: { invokeModel: { body: encoded } } }, claude)).toEqual({
        inputTokens: expected,
      });
    }
  });

  it('counts a Converse input as Converse would report it', () => {
    const expected = parseConverseRequest(body, claude).inputTokens;
    expect(
      countTokensRequest({ input: { converse: { messages: body.messages, system: body.system } } }, claude),
    ).toEqual({
      inputTokens: expected,
    });
  });

  it('validates the input union and the body', () => {
    expect(errorOf(() => countTokensRequest({}, claude)).message).toContain("'input'");
    expect(errorOf(() => countTokensRequest({ input: {} }, claude)).status).toBe(400);
    const bad = Buffer.from(JSON.stringify({ max_tokens: 1 })).toString('base64');
    expect(errorOf(() => countTokensRequest({ input: { invokeModel: { body: bad } } }, claude)).message).toContain(
      'required key [anthropic_version]',
    );
  });
});
