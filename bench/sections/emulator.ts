/**
 * Section 1: the emulator alone. Streams and chunks per second at `instant` speed, its CPU per 1,000
 * chunks, and how many concurrent streams it holds at realistic speed while keeping each stream's
 * pace, so later sections can show it is never their bottleneck.
 */
import http from 'node:http';
import { startEmulatorProcess } from '../support/emulator-process.js';
import { rawStream } from '../support/raw-stream.js';
import { percentile, type BenchTable } from '../support/report.js';

const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';
const LLAMA = 'meta.llama3-8b-instruct-v1:0';

const claudeBody = (i: number, maxTokens: number) =>
  JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: maxTokens,
    messages: [{ role: 'user', content: `Tell story number ${i} in 12 sentences.` }],
  });

const llamaBody = (i: number, maxTokens: number) =>
  JSON.stringify({ prompt: `Tell story number ${i} in 12 sentences.`, max_gen_len: maxTokens, temperature: 0.5 });

export async function emulatorSection(options: { quick: boolean }): Promise<BenchTable[]> {
  const throughput = await instantThroughput(options.quick ? 200 : 1_000);
  const held = await heldStreams(options.quick ? [100, 250] : [250, 500, 1_000]);
  return [
    {
      section: 'emulator',
      title: 'Emulator alone, instant speed (raw HTTP/1.1 reader, 8 concurrent)',
      columns: ['family', 'streams', 'streams/s', 'chunks/s', 'emulator CPU ms / 1k chunks'],
      rows: throughput,
    },
    {
      section: 'emulator',
      title: 'Emulator alone, concurrent streams at realistic speed (Llama profile: 1 token per chunk, ~50 tokens/s)',
      columns: [
        'streams',
        'chunks',
        'wall s',
        'emulator CPU %',
        'emulator RSS MB',
        'p99 chunk gap ms',
        'expected gap ms',
      ],
      rows: held,
      notes: ['A p99 gap close to the expected gap means the emulator kept every stream at its pace.'],
    },
  ];
}

async function instantThroughput(streams: number): Promise<(string | number)[][]> {
  const emulator = await startEmulatorProcess({ speed: 'instant' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const rows: (string | number)[][] = [];
  try {
    for (const [family, modelId, body] of [
      ['anthropic (3-8 tokens/chunk)', CLAUDE, claudeBody],
      ['llama (1 token/chunk)', LLAMA, llamaBody],
    ] as const) {
      // Warm up the JIT and the Markov chain before measuring.
      await Promise.all(Array.from({ length: 16 }, (_, i) => rawStream(emulator.url, modelId, body(i, 400), agent)));
      const before = await emulator.usage();
      const started = performance.now();
      let chunks = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < streams) {
            const i = next++;
            const result = await rawStream(emulator.url, modelId, body(i, 400), agent);
            chunks += result.frames;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1_000;
      const after = await emulator.usage();
      rows.push([
        family,
        streams,
        streams / seconds,
        chunks / seconds,
        ((after.cpuMs - before.cpuMs) / chunks) * 1_000,
      ]);
    }
  } finally {
    agent.destroy();
    await emulator.close();
  }
  return rows;
}

async function heldStreams(levels: number[]): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  for (const streams of levels) {
    const emulator = await startEmulatorProcess({ speed: 'realistic' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: streams });
    try {
      const before = await emulator.usage();
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: streams }, (_, i) => rawStream(emulator.url, LLAMA, llamaBody(i, 150), agent, true)),
      );
      const wall = (performance.now() - started) / 1_000;
      const after = await emulator.usage();
      const gaps: number[] = [];
      let chunks = 0;
      for (const result of results) {
        chunks += result.frames;
        const arrivals = result.arrivals ?? [];
        for (let i = 2; i < arrivals.length; i++) gaps.push(arrivals[i]! - arrivals[i - 1]!);
      }
      rows.push([
        streams,
        chunks,
        wall,
        ((after.cpuMs - before.cpuMs) / (wall * 1_000)) * 100,
        after.rssBytes / 1_048_576,
        percentile(gaps, 99),
        (1_000 / 50) * 1.3,
      ]);
    } finally {
      agent.destroy();
      await emulator.close();
    }
  }
  return rows;
}
