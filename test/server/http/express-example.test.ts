import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../examples/express/app.js';
import { startEmulator, type Emulator } from '../../../src/emulator/server.js';
import type { BedrockStreamingClient } from '../../../src/index.js';
import { clientFor, postJson, readAllText } from './server-harness.js';
import { parseSse } from './sse-parse.js';

let emu: Emulator;
let client: BedrockStreamingClient;
let server: Server;
let url: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, speed: 'instant' });
  client = clientFor(emu);
  server = createApp(client).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  client.destroy();
  await emu.close();
});

describe('examples/express', () => {
  it('the classic route forwards the stream chunk by chunk', async () => {
    const expected = await client.invoke({ prompt: 'Write a short story about the sea.', maxTokens: 300 });
    const response = await postJson(`${url}/story`, { topic: 'the sea' });
    expect(response.status).toBe(200);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect((await readAllText(response)).text).toBe(expected.text);
  });

  it('the mounted middleware serves the toolkit routes, and passes other paths on to Express', async () => {
    const chat = await postJson(`${url}/api/chat`, { messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 });
    expect(chat.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(parseSse(await chat.text()).events.at(-1)!.event).toBe('done');
    const bad = await postJson(`${url}/api/stream-completion`, '{"prompt":');
    expect(bad.status).toBe(400);
    const home = await fetch(`${url}/`);
    expect(await home.text()).toContain('POST /story');
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404); // Express's own 404
  });
});
