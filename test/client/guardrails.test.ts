/**
 * Guardrails end to end against the emulator (real SDK, real HTTP): a guardrail's configuration checked
 * before any call, and its verdicts (input blocked before any text, output blocked mid-answer in sync and
 * async mode) as `guardrail` events, `result.guardrail` and the stop reason.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BedrockStreamingClient } from '../../src/client/bedrock-streaming-client.js';
import type { GuardrailEvent, StreamEvent } from '../../src/client/stream-event.js';
import type { InferenceResult } from '../../src/client/types.js';
import type { GuardrailConfig } from '../../src/models/content.js';
import { ValidationError } from '../../src/errors.js';
import type { Emulator } from '../../src/emulator/server.js';
import { clientFor, startTestEmulator } from './emulator-harness.js';

let emu: Emulator;
let client: BedrockStreamingClient;

const BLOCKED_INPUT = 'Sorry, this question is outside what we answer.';
const BLOCKED_OUTPUT = 'Sorry, the answer was withheld.';
const ANSWER = 'Striped horses graze the open plains of Africa in large herds.';

beforeAll(async () => {
  emu = await startTestEmulator();
  emu.guardrails.add({
    id: 'grwords',
    version: '1',
    blockedWords: ['zebra', 'Africa'],
    blockedInputMessaging: BLOCKED_INPUT,
    blockedOutputsMessaging: BLOCKED_OUTPUT,
  });
  emu.scripts.add({ match: { prompt: 'striped horses' }, answer: { text: ANSWER } });
  client = clientFor(emu);
});
afterAll(async () => {
  client.destroy();
  await emu.close();
});
beforeEach(() => emu.requestLog.clear());

describe('a guardrail is checked before any call', () => {
  it.each<[string, GuardrailConfig, string]>([
    ['an id without a version', { id: 'gr1' } as GuardrailConfig, 'guardrail.version is missing'],
    [
      'a version that is no number',
      { id: 'gr1', version: 'v2' },
      "guardrail.version must be 'DRAFT' or a version number",
    ],
    ['an id Bedrock does not take', { id: 'My Guardrail', version: '1' }, 'guardrail.id must be a guardrail id'],
    [
      'an unknown processing mode',
      { id: 'gr1', version: '1', streamProcessingMode: 'later' as 'async' },
      "streamProcessingMode must be 'sync' or 'async'",
    ],
  ])('%s', (_name, guardrail, message) => {
    for (const api of ['invoke', 'converse'] as const) {
      expect(() => client.invokeStream({ prompt: 'Hello', api, guardrail })).toThrow(ValidationError);
      expect(() => client.invokeStream({ prompt: 'Hello', api, guardrail })).toThrow(message);
    }
    expect(emu.requestLog.entries()).toHaveLength(0);
  });

  it('a guardrail ARN and DRAFT are taken', () => {
    const guardrail = { id: 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123', version: 'DRAFT' };
    expect(() => client.invokeStream({ prompt: 'Hello', guardrail })).not.toThrow();
  });
});

/** Streams a call; returns its events in order and the result. */
async function run(request: Parameters<BedrockStreamingClient['invokeStream']>[0]) {
  const stream = client.invokeStream(request);
  const events: StreamEvent[] = [];
  for await (const event of stream.events()) events.push(event);
  const result: InferenceResult = await stream.finalResult();
  const verdicts = events.filter((e): e is GuardrailEvent => e.type === 'guardrail');
  return { events, result, verdicts };
}

const CASES = [
  ['invoke', 'us.anthropic.claude-3-5-sonnet-20240620-v1:0'],
  ['invoke', 'us.amazon.nova-lite-v1:0'],
  ['converse', 'us.anthropic.claude-3-5-sonnet-20240620-v1:0'],
] as const;

describe.each(CASES)('%s %s: guardrail verdicts from the emulator', (api, modelId) => {
  it.each(['sync', 'async'] as const)(
    'input blocked (%s): only the blocked-input message, phase input',
    async (mode) => {
      const { result, verdicts } = await run({
        modelId,
        api,
        prompt: 'Tell me about the zebra.',
        guardrail: { id: 'grwords', version: '1', streamProcessingMode: mode },
      });
      expect(result.text).toBe(BLOCKED_INPUT); // nothing of the model's: it never ran
      expect(result.stopReason).toBe('guardrail_intervened');
      expect(verdicts).toEqual([
        { type: 'guardrail', action: 'intervened', phase: 'input', withdrawsStreamedText: false },
      ]);
      expect(result.guardrail).toEqual(verdicts[0]);
      expect(emu.requestLog.entries()[0]?.guardrail).toMatchObject({
        action: 'INTERVENED',
        blocked: { phase: 'input' },
      });
    },
  );

  it.each(['sync', 'async'] as const)(
    'output blocked mid-answer (%s): the streamed text is withdrawn',
    async (mode) => {
      const { events, result, verdicts } = await run({
        modelId,
        api,
        prompt: 'Tell me about striped horses.',
        guardrail: { id: 'grwords', version: '1', streamProcessingMode: mode },
      });
      const before = ANSWER.slice(0, ANSWER.indexOf(' Africa'));
      expect(result.text.startsWith(before)).toBe(true);
      expect(result.text.endsWith(BLOCKED_OUTPUT)).toBe(true);
      // Sync mode holds the offending word back; async mode has already sent it.
      expect(result.text.includes('Africa')).toBe(mode === 'async');
      expect(result.stopReason).toBe('guardrail_intervened');
      expect(verdicts).toEqual([
        { type: 'guardrail', action: 'intervened', phase: 'output', withdrawsStreamedText: true },
      ]);
      const firstText = events.findIndex((e) => e.type === 'text');
      expect(firstText).toBeGreaterThanOrEqual(0);
      expect(firstText).toBeLessThan(events.findIndex((e) => e.type === 'guardrail'));
      expect(emu.requestLog.entries()[0]?.guardrail).toMatchObject({ blocked: { word: 'Africa', phase: 'output' } });
    },
  );

  it('nothing blocked: action none, the answer whole; the trace when asked for', async () => {
    const { result, verdicts } = await run({
      modelId,
      api,
      prompt: 'Say something about rivers.',
      guardrail: { id: 'grwords', version: '1', trace: true },
    });
    expect(result.stopReason).toBe('end_turn');
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatchObject({ action: 'none', withdrawsStreamedText: false, trace: expect.any(Object) });
  });
});

it('the trace says which word was blocked, when asked for', async () => {
  const { verdicts } = await run({
    prompt: 'Tell me about striped horses.',
    guardrail: { id: 'grwords', version: '1', trace: true },
  });
  expect(JSON.stringify(verdicts[0]?.trace)).toContain('"match":"Africa"');
});

it('InvokeModel (not streaming): the verdict on result.guardrail', async () => {
  const result = await client.invoke({
    prompt: 'Tell me about the zebra.',
    guardrail: { id: 'grwords', version: '1' },
  });
  expect(result.text).toBe(BLOCKED_INPUT);
  expect(result.stopReason).toBe('guardrail_intervened');
  expect(result.guardrail).toMatchObject({ action: 'intervened', phase: 'input' });
});
