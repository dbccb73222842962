import { describe, expect, it } from 'vitest';
import { createMarkovBackend } from '../../../src/emulator/text/markov-backend.js';
import { countTokens } from '../../../src/emulator/text/tokenizer.js';
import type { GenerationRequest, GenerationResult } from '../../../src/emulator/families/types.js';

const backend = createMarkovBackend();

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    conversation: 'User: Tell me about the neighbours.',
    maxTokens: 1000,
    temperature: 0.7,
    stopSequences: [],
    reasoning: false,
    inputTokens: 8,
    ...overrides,
  };
}

async function run(req: GenerationRequest, signal = new AbortController().signal) {
  const iterator = backend.generate(req, signal);
  let reasoning = '';
  let text = '';
  let tokens = 0;
  for (;;) {
    const step = await iterator.next();
    if (step.done) return { reasoning, text, tokens, result: step.value as GenerationResult };
    tokens++;
    if (step.value.channel === 'reasoning') {
      expect(text).toBe(''); // reasoning always comes first
      reasoning += step.value.text;
    } else text += step.value.text;
  }
}

describe('markov backend', () => {
  it('is deterministic per request and varies with the conversation and temperature', async () => {
    const a = await run(request());
    const b = await run(request());
    expect(a.text).toBe(b.text);
    expect(a.text.length).toBeGreaterThan(20);
    expect((await run(request({ conversation: 'User: Something else.' }))).text).not.toBe(a.text);
    expect((await run(request({ temperature: 1 }))).text).not.toBe(a.text);
  });

  it('decodes greedily at temperature 0: the same text every time', async () => {
    const first = await run(request({ temperature: 0 }));
    for (let i = 0; i < 3; i++) expect((await run(request({ temperature: 0 }))).text).toBe(first.text);
    expect(first.result.stopReason).toBe('end_turn');
  });

  it('gives varied text across conversations at a high temperature', async () => {
    const texts = new Set<string>();
    for (let i = 0; i < 8; i++) texts.add((await run(request({ conversation: `User: q${i}`, temperature: 1 }))).text);
    expect(texts.size).toBe(8);
  });

  it('reports exactly the tokens it yields, matching countTokens (reasoning included)', async () => {
    for (let i = 0; i < 30; i++) {
      const out = await run(
        request({ conversation: `User: question ${i}`, reasoning: i % 2 === 0, maxTokens: 5 + i * 7 }),
      );
      expect(out.result.outputTokens).toBe(out.tokens);
      expect(countTokens(out.reasoning) + countTokens(out.text)).toBe(out.tokens);
      expect(countTokens(out.reasoning + out.text)).toBe(out.tokens);
    }
  });

  it('stops at maxTokens with max_tokens', async () => {
    const out = await run(request({ maxTokens: 5 }));
    expect(out.tokens).toBe(5);
    expect(out.result).toEqual({ stopReason: 'max_tokens', outputTokens: 5 });
    const full = await run(request());
    expect(full.text.startsWith(out.text)).toBe(true);
  });

  it('counts reasoning against maxTokens', async () => {
    const out = await run(request({ reasoning: true, maxTokens: 3 }));
    expect(out.text).toBe('');
    expect(out.tokens).toBe(3);
    expect(out.result.stopReason).toBe('max_tokens');
  });

  it('yields a short reasoning paragraph first when reasoning is on', async () => {
    const out = await run(request({ reasoning: true }));
    expect(out.reasoning).toMatch(/[.!?]$/);
    expect(out.text).toBe((await run(request())).text);
  });

  it('stops before a stop sequence, including one that spans tokens', async () => {
    const full = (await run(request())).text;
    const words = full.split(' ');
    const sequence = `${words[2]} ${words[3]!.slice(0, 2)}`; // spans a token boundary, ends mid-token
    const out = await run(request({ stopSequences: ['never-there', sequence] }));
    expect(out.text).toBe(full.slice(0, full.indexOf(sequence)));
    expect(out.result.stopReason).toBe('stop_sequence');
    expect(out.result.stopSequence).toBe(sequence);
    expect(out.result.outputTokens).toBe(countTokens(out.text));
  });

  it('prefers max_tokens when the budget runs out before the stop sequence', async () => {
    const full = (await run(request())).text;
    const sequence = full.slice(full.length - 6);
    const out = await run(request({ stopSequences: [sequence], maxTokens: 3 }));
    expect(out.result.stopReason).toBe('max_tokens');
    expect(out.result.stopSequence).toBeUndefined();
  });

  it('continues a prefill exactly: prefill + continuation === the uninterrupted answer', async () => {
    const full = (await run(request({ conversation: 'User: Please answer in 4 sentences.' }))).text;
    const multiByte = [...full].findIndex((ch) => ch.charCodeAt(0) > 127);
    const cuts = [1, 3, 10, 17, Math.floor(full.length / 2), full.length - 1, full.length];
    if (multiByte > 0) cuts.push(full.indexOf([...full][multiByte]!), full.indexOf([...full][multiByte]!) + 1);
    for (const cut of cuts) {
      const prefill = full.slice(0, cut);
      const rest = await run(request({ conversation: 'User: Please answer in 4 sentences.', prefill }));
      expect(prefill + rest.text).toBe(full);
      expect(rest.result.outputTokens).toBe(countTokens(rest.text));
    }
  });

  it('counts only new tokens against maxTokens when continuing', async () => {
    const full = (await run(request())).text;
    const prefill = full.slice(0, 12);
    const out = await run(request({ prefill, maxTokens: 2 }));
    expect(out.tokens).toBe(2);
    expect(full.startsWith(prefill + out.text)).toBe(true);
  });

  it('continues from a new seed when the prefill is not a prefix', async () => {
    const out = await run(request({ prefill: 'Something unexpected' }));
    expect(out.text.startsWith(' ')).toBe(true);
    expect(out.text.length).toBeGreaterThan(10);
    expect((await run(request({ prefill: 'Something unexpected' }))).text).toBe(out.text);
  });

  it('puts multi-byte characters in every answer of two or more sentences', async () => {
    for (let i = 0; i < 12; i++) {
      const out = await run(request({ conversation: `User: topic ${i}`, temperature: (i % 4) / 3 }));
      expect([...out.text].some((ch) => ch.charCodeAt(0) > 127)).toBe(true);
    }
  });

  it('honours "N sentences" in the conversation for long answers', async () => {
    const out = await run(request({ conversation: 'User: Write 40 sentences.' }));
    expect(out.tokens).toBeGreaterThan(200);
  });

  it('stops generating when the signal is aborted', async () => {
    const controller = new AbortController();
    const iterator = backend.generate(request(), controller.signal);
    await iterator.next();
    await iterator.next();
    controller.abort();
    const step = await iterator.next();
    expect(step.done).toBe(true);
    expect((step.value as GenerationResult).outputTokens).toBe(2);
  });
});
