/** Shared setup for server HTTP tests: an instant emulator, our client on it, and the server on loopback. */
import { BedrockStreamingClient } from '../../../src/index.js';
import { startEmulator, type Emulator } from '../../../src/emulator/server.js';
import { createServer, type BedrockServer, type CreateServerOptions } from '../../../src/server/index.js';

export const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';

export interface Harness {
  emu: Emulator;
  server: BedrockServer;
  url: string;
  close(): Promise<void>;
}

export function clientFor(emu: Emulator): BedrockStreamingClient {
  return new BedrockStreamingClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    modelId: CLAUDE,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
}

export async function startHarness(options: CreateServerOptions = {}, emulator?: Emulator): Promise<Harness> {
  const emu = emulator ?? (await startEmulator({ port: 0, speed: 'instant' }));
  // No disconnect grace unless a test asks for one: a viewer leaving stops upstream at once.
  const server = createServer({
    client: clientFor(emu),
    logger: false,
    heartbeatMs: 0,
    disconnectGraceMs: 0,
    ...options,
  });
  const url = await server.listen(0);
  return {
    emu,
    server,
    url,
    async close() {
      await server.close({ graceMs: 500 });
      server.context.client.destroy();
      if (emulator === undefined) await emu.close();
    },
  };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Reads a fetch body the way the simplest browser code does: getReader() + TextDecoder. */
export async function readAllText(response: Response): Promise<{ text: string; reads: number; error?: unknown }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let reads = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      reads += 1;
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, reads, error };
  }
  return { text: text + decoder.decode(), reads };
}
