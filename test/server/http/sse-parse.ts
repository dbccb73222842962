/** A small spec-following SSE parser for tests (fields, multi-line data, comments), kept apart from the server's writer. */
export interface ParsedSse {
  id: string | undefined;
  event: string;
  data: string;
}

export function parseSse(text: string): { events: ParsedSse[]; comments: string[] } {
  const events: ParsedSse[] = [];
  const comments: string[] = [];
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length > 0) events.push({ id, event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      continue;
    }
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return { events, comments };
}

/** Reads an SSE response incrementally, so a test can act after seeing a given event. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  raw = '';

  constructor(response: Response) {
    this.#reader = response.body!.getReader();
  }

  get events(): ParsedSse[] {
    return parseSse(this.raw.slice(0, this.raw.lastIndexOf('\n\n') + 2)).events;
  }

  /** Reads until `until` holds for the events so far, or the stream ends. */
  async readUntil(until: (events: ParsedSse[]) => boolean): Promise<ParsedSse[]> {
    while (!until(this.events)) {
      const { done, value } = await this.#reader.read();
      if (done) break;
      this.raw += this.#decoder.decode(value, { stream: true });
    }
    return this.events;
  }

  async readAll(): Promise<ParsedSse[]> {
    return this.readUntil(() => false);
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}
