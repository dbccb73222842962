/** Shared setup for GenerationService tests: the real client against an instant emulator, and event helpers. */
import { BedrockStreamingClient } from '../../../src/index.js';
import { startEmulator, type Emulator } from '../../../src/emulator/server.js';
import type { GenerationEvent } from '../../../src/server/registry/types.js';
import type { GenerationService } from '../../../src/server/generations/generation-service.js';

export const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
export const prompt = 'Write five sentences about mountains.';

export function startTestEmulator(): Promise<Emulator> {
  return startEmulator({ port: 0, speed: 'instant' });
}

export function clientFor(emu: Emulator): BedrockStreamingClient {
  return new BedrockStreamingClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

/** A stall after the first text chunk keeps upstream open, so closing it is visible in the request log. */
export function holdOpen(emu: Emulator, ms = 20_000): void {
  emu.faults.add({ fault: { kind: 'stall', afterChunks: 3, ms } });
}

/** The first finished upstream request (the log is cleared between tests). */
export function upstreamEnded(emu: Emulator) {
  return emu.requestLog.waitFor((entry) => entry.outcome !== 'pending', 5_000);
}

export function start(service: GenerationService, detached = false, request: { prompt?: string } = { prompt }) {
  return service.start({ request, model: MODEL, ownerKeyHash: null, detached });
}

export async function readAll(
  service: GenerationService,
  id: string,
  afterId?: string,
  signal = new AbortController().signal,
): Promise<GenerationEvent[]> {
  const events: GenerationEvent[] = [];
  for await (const event of service.events(id, afterId, signal)) events.push(event);
  return events;
}

/** Reads until `count` events of `type` arrived, then leaves (break detaches the viewer). */
export async function readUntil(
  service: GenerationService,
  id: string,
  type: GenerationEvent['type'],
  count = 1,
): Promise<GenerationEvent[]> {
  const events: GenerationEvent[] = [];
  let seen = 0;
  for await (const event of service.events(id, undefined, new AbortController().signal)) {
    events.push(event);
    if (event.type === type && ++seen === count) break;
  }
  return events;
}

export function data<T = Record<string, unknown>>(event: GenerationEvent | undefined): T {
  if (event === undefined) throw new Error('no event');
  return JSON.parse(event.data) as T;
}

/** The answer as viewers saw it: every text event's text, concatenated. */
export function textOf(events: readonly GenerationEvent[]): string {
  return events
    .filter((event) => event.type === 'text')
    .map((event) => data<{ text: string }>(event).text)
    .join('');
}
