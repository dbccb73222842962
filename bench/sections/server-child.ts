/**
 * Child process for the server benchmark: runs ONE streaming server variant against the emulator so
 * its CPU and memory are measured alone. `ours` is createServer() from the package's server export (the
 * built dist/ under `npm run bench`, see bench/drivers/ours.ts); `vercel-ai` is the
 * same text route built with the Vercel AI SDK (`streamText(...).pipeTextStreamToResponse(res)`).
 * Messages: parent sends 'usage' and gets { cpuMs, heapBytes } (heap measured after a full GC).
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { streamText } from 'ai';
import { BENCH_CREDENTIALS, BENCH_MODEL, BENCH_REGION } from '../drivers/driver.js';
import type * as ServerExports from '../../src/server/index.js';

type ServerModule = typeof ServerExports;
import { forceGc } from '../support/measure-gc.js';

const { createServer } = (
  process.env.BENCH_LIBRARY === 'dist'
    ? await import(new URL('../../dist/server/index.js', import.meta.url).href)
    : await import('../../src/server/index.js')
) as ServerModule;

const variant = process.env.BENCH_SERVER_VARIANT;
const endpoint = process.env.BENCH_EMULATOR_URL!;

async function readJson(req: IncomingMessage): Promise<{ prompt: string; maxTokens: number }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as { prompt: string; maxTokens: number };
}

async function start(): Promise<string> {
  if (variant === 'ours') {
    const server = createServer({
      clientOptions: { endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS, modelId: BENCH_MODEL },
      logger: false,
      heartbeatMs: 0,
    });
    return server.listen(0);
  }
  const bedrock = createAmazonBedrock({ region: BENCH_REGION, ...BENCH_CREDENTIALS, baseURL: endpoint });
  const server = createHttpServer((req, res) => {
    void readJson(req).then(({ prompt, maxTokens }) => {
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      const result = streamText({
        model: bedrock(BENCH_MODEL),
        prompt,
        maxOutputTokens: maxTokens,
        maxRetries: 0,
        abortSignal: abort.signal,
      });
      result.pipeTextStreamToResponse(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const url = await start();
process.send?.({ type: 'ready', url });
process.on('message', () => {
  forceGc();
  const cpu = process.cpuUsage();
  process.send?.({ type: 'usage', cpuMs: (cpu.user + cpu.system) / 1_000, heapBytes: process.memoryUsage().heapUsed });
});
process.once('SIGTERM', () => process.exit(0));
