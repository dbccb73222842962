import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../src/emulator/server.js';
import type { BedrockStreamingClient } from '../../../src/index.js';
import { createRequestHandler } from '../../../src/server/index.js';
import { clientFor, postJson, readAllText } from './server-harness.js';

let emu: Emulator;
let client: BedrockStreamingClient;
let server: Server;
let url: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, speed: 'instant' });
  client = clientFor(emu);
  const handler = createRequestHandler({ client, logger: false });
  // Mounted in an app's own node:http server, next to its own routes.
  server = createServer((req, res) => {
    if (req.url === '/app/hello') return void res.end('hello from the app');
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  client.destroy();
  await emu.close();
});

describe('createRequestHandler: a plain Node (req, res) handler', () => {
  it('serves the toolkit routes inside an existing node:http server', async () => {
    const expected = await client.invoke({ prompt: 'Hello there', maxTokens: 30 });
    const response = await postJson(`${url}/api/stream-completion`, { prompt: 'Hello there', maxTokens: 30 });
    expect((await readAllText(response)).text).toBe(expected.text);
    expect(await (await fetch(`${url}/app/hello`)).text()).toBe('hello from the app');
  });

  it('answers paths it does not know with a JSON 404', async () => {
    const response = await fetch(`${url}/nowhere`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('not_found');
  });
});
