/** Helpers for the browser client's tests: the real server and emulator over HTTP, and what they answer. */
import type { ChatEvent, ChatStream } from '../../src/browser/index.js';
import { postJson } from '../server/http/server-harness.js';
import { parseSse, type ParsedSse } from '../server/http/sse-parse.js';

export { CLAUDE, startHarness, type Harness } from '../server/http/server-harness.js';

export const messages = [{ role: 'user' as const, content: 'Tell me about the lighthouse keeper.' }];

/** Every event of a stream, through its iterator. */
export async function collect(stream: ChatStream): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

export function textOf(events: ChatEvent[]): string {
  return events.map((event) => (event.type === 'text' ? event.text : '')).join('');
}

/** The server's own SSE for a request, read with a plain fetch: the reference a client must match. */
export async function serverAnswer(
  url: string,
  body: Record<string, unknown>,
): Promise<{ events: ParsedSse[]; text: string }> {
  const response = await postJson(`${url}/api/chat`, body);
  if (response.status !== 200) throw new Error(`POST /api/chat answered ${response.status}: ${await response.text()}`);
  const { events } = parseSse(await response.text());
  const text = events
    .filter((event) => event.event === 'text')
    .map((event) => (JSON.parse(event.data) as { text: string }).text)
    .join('');
  return { events, text };
}

/** Resolves once the stream has at least `count` text events (or ended, which the caller then sees). */
export function textEvents(stream: ChatStream, count: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (stream.snapshot.textEvents >= count || stream.snapshot.endedAt !== undefined) resolve();
      else setTimeout(check, 5);
    };
    check();
  });
}
