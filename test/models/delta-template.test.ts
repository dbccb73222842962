/**
 * The text-delta fast path: a template match must give what JSON.parse gives (so the adapter emits the
 * same events), for every family's fixture and for every chunk the emulator streams, and it must really
 * be taken for the text deltas; anything it cannot reproduce falls back to JSON.parse.
 */
import {
  BedrockRuntimeClient,
  InvokeModelWithResponseStreamCommand,
  type ResponseStream,
} from '@aws-sdk/client-bedrock-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CONVERSE_DELTA_TEMPLATES } from '../../src/models/converse.js';
import { COUNT, DeltaTemplate, INT, matchAny, SKIPPED, TEXT } from '../../src/models/delta-template.js';
import { resolveAdapter } from '../../src/models/registry.js';
import type { ModelAdapter, ModelFamily } from '../../src/models/types.js';
import { fixtureLines } from './chunk-fixtures.js';
import { FAMILY_MODELS } from './family-models.js';

const claude = new DeltaTemplate({
  type: 'content_block_delta',
  index: INT,
  delta: { type: 'text_delta', text: TEXT },
});
const bytes = (json: string) => Buffer.from(json, 'utf8');
const plain = (json: string) => new Uint8Array(Buffer.from(json, 'utf8'));
const matched = (template: DeltaTemplate, json: string, view: (json: string) => Uint8Array = bytes) => {
  const input = view(json);
  const chunk = template.match(input, 0, input.length);
  return chunk === undefined ? undefined : structuredClone(chunk);
};

describe('DeltaTemplate', () => {
  it('reproduces JSON.parse for the canonical shape, Buffers and plain Uint8Arrays alike', () => {
    for (const text of [
      'Hello',
      '',
      ' été à Zürich — 東京 🚀',
      'tab\there',
      'say "hi"\n\n',
      'back\\slash',
      '\u2028\ud83d\ude00',
    ]) {
      const json = JSON.stringify({ type: 'content_block_delta', index: 3, delta: { type: 'text_delta', text } });
      expect(matched(claude, json)).toEqual(JSON.parse(json));
      expect(matched(claude, json, plain)).toEqual(JSON.parse(json));
    }
    // Escapes JSON.stringify does not write are still read exactly.
    const escaped =
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"caf\\u00e9 \\/ \\ud83d\\ude00"}}';
    expect(matched(claude, escaped)).toEqual(JSON.parse(escaped));
  });

  it('matches random text exactly as JSON.parse reads it', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['a', ' ', '"', '\\', '\n', '\u0001', 'é', '東', '🚀', '\u2028', '/', '}', ','];
    for (let n = 0; n < 500; n++) {
      const text = Array.from(
        { length: Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const json = JSON.stringify({ type: 'content_block_delta', index: n, delta: { type: 'text_delta', text } });
      expect(matched(claude, json)).toEqual(JSON.parse(json));
    }
  });

  it('falls back (undefined) for anything it cannot reproduce exactly', () => {
    const good = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}';
    expect(matched(claude, good)).toBeDefined();
    for (const other of [
      '{"type": "content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}', // spacing
      '{"index":0,"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}', // key order
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","extra":1}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"x"}}',
      '{"type":"content_block_delta","index":1.5,"delta":{"type":"text_delta","text":"x"}}',
      '{"type":"content_block_delta","index":1e3,"delta":{"type":"text_delta","text":"x"}}',
      '{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"x"}}',
      '{"type":"content_block_delta","index":-,"delta":{"type":"text_delta","text":"x"}}',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}} ', // trailing
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x}}', // unterminated
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\u0001"}}', // raw control
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\\x41"}}', // bad escape
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":7}}',
    ]) {
      expect(matched(claude, other), other).toBeUndefined();
    }
    expect(matched(claude, good.replace('"index":0', '"index":-2'))).toMatchObject({ index: -2 });
  });

  it('reads COUNT as an integer or null, matches SKIPPED strings undecoded, and takes arrays', () => {
    const titan = new DeltaTemplate({ outputText: TEXT, count: COUNT, id: SKIPPED, list: [{ n: INT }, null, true] });
    expect(matched(titan, '{"outputText":"a","count":null,"id":"x\\"y","list":[{"n":4},null,true]}')).toEqual({
      outputText: 'a',
      count: null,
      id: '',
      list: [{ n: 4 }, null, true],
    });
    expect(matched(titan, '{"outputText":"a","count":12,"id":"","list":[{"n":0},null,true]}')).toMatchObject({
      count: 12,
    });
    expect(matched(titan, '{"outputText":"a","count":"12","id":"","list":[{"n":0},null,true]}')).toBeUndefined();
  });

  it('matches a byte range inside a larger buffer', () => {
    const json = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"mid"}}';
    const buffer = Buffer.from(`xx${json}yy`);
    expect(claude.match(buffer, 2, 2 + json.length)).toMatchObject({ delta: { text: 'mid' } });
    expect(claude.match(buffer, 2, 3 + json.length)).toBeUndefined();
  });
});

/**
 * Two decoders of one family in lockstep, one fed JSON.parse's chunks, the other the template's when it
 * matches (else JSON.parse's): per chunk, the events of both, and whether the fast path was taken.
 */
class Lockstep {
  readonly #parsed;
  readonly #fast;
  constructor(readonly adapter: ModelAdapter) {
    this.#parsed = adapter.createChunkDecoder();
    this.#fast = adapter.createChunkDecoder();
  }

  feed(json: string): { parsed: ChunkEvent[]; fast: ChunkEvent[]; matched: boolean } {
    const parsed: ChunkEvent[] = [];
    const fast: ChunkEvent[] = [];
    this.#parsed(JSON.parse(json) as Record<string, unknown>, (event) => parsed.push(event));
    const input = bytes(json);
    const chunk = matchAny(this.adapter.deltaTemplates ?? [], input, 0, input.length);
    this.#fast(chunk ?? (JSON.parse(json) as Record<string, unknown>), (event) => fast.push(event));
    return { parsed, fast, matched: chunk !== undefined };
  }
}

const FIXTURES: [string, ModelFamily][] = [
  ['anthropic.chunks.jsonl', 'anthropic'],
  ['anthropic-text.chunks.jsonl', 'anthropic-text'],
  ['titan.chunks.jsonl', 'titan'],
  ['nova.chunks.jsonl', 'nova'],
  ['llama.chunks.jsonl', 'llama'],
  ['mistral.chunks.jsonl', 'mistral'],
  ['mistral-chat.chunks.jsonl', 'mistral-chat'],
  ['cohere.chunks.jsonl', 'cohere'],
  ['cohere-command.chunks.jsonl', 'cohere-command'],
  ['ai21.chunks.jsonl', 'ai21'],
  ['deepseek.chunks.jsonl', 'deepseek'],
  ['openai.chunks.jsonl', 'openai'],
];

describe('family templates against the fixtures (shapes from bedrock-wire.md)', () => {
  it.each(FIXTURES)('%s: a match gives the same events as JSON.parse, and some text delta matches', (name, family) => {
    const lockstep = new Lockstep(resolveAdapter('x', family));
    let fastText = 0;
    for (const line of fixtureLines(name)) {
      const { parsed, fast, matched } = lockstep.feed(line);
      expect(fast).toEqual(parsed);
      if (matched && fast.some((event) => event.type === 'text' || event.type === 'reasoning')) fastText++;
    }
    expect(fastText).toBeGreaterThan(0);
  });

  it('Converse contentBlockDelta events, with and without padding', () => {
    for (const line of fixtureLines('converse.events.jsonl')) {
      const [eventType, payload] = JSON.parse(line) as [string, Record<string, unknown>];
      if (eventType !== 'contentBlockDelta') continue;
      const input = bytes(JSON.stringify(payload));
      const chunk = matchAny(CONVERSE_DELTA_TEMPLATES, input, 0, input.length);
      if (chunk !== undefined) expect({ ...chunk, p: payload.p }).toEqual(payload);
    }
    const text = { contentBlockIndex: 0, delta: { text: 'Bonjour' } };
    for (const payload of [text, { ...text, p: 'abcdef' }]) {
      const input = bytes(JSON.stringify(payload));
      expect(matchAny(CONVERSE_DELTA_TEMPLATES, input, 0, input.length)).toMatchObject(text);
    }
  });
});

describe('family templates against what the emulator streams (through the SDK)', () => {
  let emu: Emulator;
  let sdk: BedrockRuntimeClient;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, speed: 'instant' });
    sdk = new BedrockRuntimeClient({
      endpoint: emu.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    sdk.destroy();
    await emu.close();
  });

  it.each(FAMILY_MODELS)(
    '%s: every chunk gives the same events both ways; most text deltas take the fast path',
    async (family, modelId) => {
      const adapter = resolveAdapter(modelId, family);
      const body = adapter.buildRequest({
        messages: [{ role: 'user', content: 'Tell me a story in 4 sentences.' }],
        maxTokens: 400,
      });
      const response = await sdk.send(
        new InvokeModelWithResponseStreamCommand({
          modelId,
          contentType: 'application/json',
          body: JSON.stringify(body),
        }),
      );
      const lockstep = new Lockstep(adapter);
      let textChunks = 0;
      let fastText = 0;
      for await (const event of response.body as AsyncIterable<ResponseStream>) {
        const json = Buffer.from(event.chunk?.bytes ?? new Uint8Array()).toString('utf8');
        if (json === '') continue;
        const { parsed, fast, matched } = lockstep.feed(json);
        expect(fast).toEqual(parsed);
        if (!parsed.some((e) => e.type === 'text' || e.type === 'reasoning')) continue;
        textChunks++;
        if (matched) fastText++;
      }
      expect(textChunks).toBeGreaterThan(2);
      expect(fastText).toBeGreaterThanOrEqual(textChunks * 0.8);
    },
  );
});
