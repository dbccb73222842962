/**
 * Test helper: replays a family's chunk fixture through the client's real wire path: each line is wrapped in
 * an event-stream frame by @smithy/eventstream-codec, then read back with decodeEventStream and
 * decodeChunkPayload (with the family's text-delta templates, as the client does) before the adapter's
 * chunk decoder sees it.
 */
import { readFileSync } from 'node:fs';
import type { ChunkEvent } from '../../src/client/stream-event.js';
import { decodeChunkPayload } from '../../src/client/event-stream/chunk-payload.js';
import { decodeEventStream } from '../../src/client/event-stream/decoder.js';
import type { DeltaTemplate } from '../../src/models/delta-template.js';
import type { ChunkDecoder } from '../../src/models/types.js';
import { chunkFrame, concat, reads } from '../client/event-stream/frames.js';

export function fixtureLines(name: string): string[] {
  const url = new URL(`../fixtures/models/${name}`, import.meta.url);
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0);
}

/** Through the hot path's fast matching too, when the family's templates are given. */
export async function replay(
  name: string,
  decoder: ChunkDecoder,
  templates?: readonly DeltaTemplate[],
): Promise<ChunkEvent[]> {
  const body = concat(
    fixtureLines(name).map((line, i) => chunkFrame(JSON.parse(line), 'abcdefghijklmnop'.slice(0, i))),
  );
  const events: ChunkEvent[] = [];
  for await (const message of decodeEventStream(reads(body, 13))) {
    if (message.eventType !== 'chunk') continue;
    const { payload } = message;
    decoder(decodeChunkPayload(payload, 0, payload.length, templates), (event) => events.push(event));
  }
  return events;
}

export interface Summary {
  text: string;
  reasoning: string;
  stops: { reason: string; rawReason: string | null }[];
  usage: { inputTokens: number; outputTokens: number; source: string } | undefined;
  metrics: { firstByteLatencyMs?: number; invocationLatencyMs?: number } | undefined;
}

export function summarise(events: readonly ChunkEvent[]): Summary {
  const summary: Summary = { text: '', reasoning: '', stops: [], usage: undefined, metrics: undefined };
  for (const event of events) {
    if (event.type === 'text') summary.text += event.delta;
    else if (event.type === 'reasoning') summary.reasoning += event.delta;
    else if (event.type === 'stop') summary.stops.push({ reason: event.reason, rawReason: event.rawReason });
    else if (event.type === 'usage') summary.usage = { ...event };
    else if (event.type === 'metrics') summary.metrics = { ...event };
  }
  if (summary.usage) delete (summary.usage as { type?: string }).type;
  if (summary.metrics) delete (summary.metrics as { type?: string }).type;
  return summary;
}
