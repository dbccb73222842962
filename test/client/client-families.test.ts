import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/client/stream-event.js';
import type { Emulator } from '../../src/emulator/server.js';
import type { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import { clientFor, startTestEmulator } from './emulator-harness.js';
import { FAMILY_MODELS } from '../models/family-models.js';

// One model per family, through the real SDK against the emulator, with both APIs.
const MODELS = FAMILY_MODELS;

let emu: Emulator;
let client: BedrockStreamingClient;
beforeAll(async () => {
  emu = await startTestEmulator();
  client = clientFor(emu);
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});

describe.each(['invoke', 'converse'] as const)('every family through the %s API', (api) => {
  it.each(MODELS)('%s (%s): exact text, stop reason, usage and metrics', async (_family, modelId) => {
    const request = { modelId, api, prompt: `Tell me about ${modelId} in three sentences.`, maxTokens: 400 };
    const stream = client.invokeStream(request);
    const events: StreamEvent[] = [];
    for await (const event of stream.events()) events.push(event);
    const result = await stream.finalResult();
    const deltas = events.flatMap((e) => (e.type === 'text' ? [e.delta] : []));

    expect(result.text.length).toBeGreaterThan(20);
    expect(deltas.join('')).toBe(result.text);
    expect(stream.text).toBe(result.text);
    expect(result.text).toMatch(/[\u0080-\uffff]/); // the emulator always includes multi-byte characters
    expect(result.stopReason).toBe('end_turn');
    expect(result.rawStopReason).not.toBeNull();
    expect(result.usage.source).toBe('bedrock');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.estimatedTokens).toBe(result.usage.outputTokens);
    expect(result.metrics.chunkCount).toBeGreaterThan(1);
    expect(result.metrics.timeToFirstTokenMs).not.toBeNull();
    expect(result.metrics.invocationLatencyMs).toEqual(expect.any(Number));
    expect(result).toMatchObject({ modelId, attempts: 1, resumes: 0 });
    expect(result.requestId).toEqual(expect.any(String));
    expect(events.filter((e) => e.type === 'stop')).toHaveLength(1);

    const unary = await client.invoke(request);
    expect(unary.text).toBe(result.text);
    expect(unary.stopReason).toBe('end_turn');
    expect(unary.usage).toEqual(result.usage);
  });
});

describe('reasoning', () => {
  it.each([
    ['invoke', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['converse', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['invoke', 'us.deepseek.r1-v1:0'],
  ] as const)('streams %s reasoning of %s apart from the text', async (api, modelId) => {
    const reasoningSnapshots: string[] = [];
    const result = await client.invokeStreamWithCallbacks({
      modelId,
      api,
      prompt: 'Think first, then answer in two sentences.',
      maxTokens: 3000,
      reasoning: { budgetTokens: 1024 },
      onReasoning: (_delta, snapshot) => reasoningSnapshots.push(snapshot),
    });
    expect(result?.reasoning.length).toBeGreaterThan(0);
    expect(reasoningSnapshots.at(-1)).toBe(result?.reasoning);
    expect(result?.text.length).toBeGreaterThan(0);
    expect(result?.text).not.toContain(result?.reasoning.slice(0, 30));
    expect(result?.stopReason).toBe('end_turn');
  });
});

describe('stop reasons and parameters', () => {
  it('reports max_tokens when the budget runs out', async () => {
    const result = await client.invokeStream({ prompt: 'Write ten sentences about tea.', maxTokens: 5 }).finalResult();
    expect(result.stopReason).toBe('max_tokens');
    expect(result.usage.outputTokens).toBe(5);
  });

  it('re-chunks by sentence without changing the text', async () => {
    const prompt = 'Write four sentences about rivers.';
    const plain = await client.invokeStream({ prompt }).finalResult();
    const deltas: string[] = [];
    for await (const delta of client.invokeStream({ prompt, chunking: 'sentence' })) deltas.push(delta);
    expect(deltas.join('')).toBe(plain.text);
    for (const delta of deltas.slice(0, -1)) expect(delta).toMatch(/[.!?…]["'”’)]*\s+$|\n$/);
  });

  it('delivers deltas and snapshots to callbacks', async () => {
    const snapshots: string[] = [];
    let completed: unknown;
    const result = await client.invokeStreamWithCallbacks({
      prompt: 'Say something kind.',
      onContent: (_delta, snapshot) => snapshots.push(snapshot),
      onComplete: (r) => (completed = r),
    });
    expect(result).toBeDefined();
    expect(completed).toBe(result);
    expect(snapshots.at(-1)).toBe(result!.text);
    expect(snapshots.length).toBe(result!.metrics.chunkCount);
  });
});
