/**
 * This library: BedrockStreamingClient.invokeStream, which reads the successful response's event stream
 * with its own lean decoder. Two ways: as a developer constructs it (its own SDK client and HTTP/2
 * handler settings), and handed an SDK client with the SDK's default handler, the raw SDK's exact
 * transport, so the difference to the raw SDK is the decoding path alone.
 */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type * as LibraryExports from '../../src/index.js';
import type { BedrockStreamingClient } from '../../src/index.js';
import { BENCH_CREDENTIALS, BENCH_REGION, TextCollector, type BenchDriver, type StreamOptions } from './driver.js';

type Library = typeof LibraryExports;

/**
 * The build the driver measures. `npm run bench` builds the package and sets BENCH_LIBRARY=dist: the
 * compiled dist/ an application imports, like every peer's published JavaScript. Tests use the source.
 * (Source run through tsx is not what users run: tsx wraps every function in a naming helper that gives
 * each closure a property table of its own, which would bill our per-stream closures ~250 bytes each.)
 */
const library = (
  process.env.BENCH_LIBRARY === 'dist'
    ? await import(new URL('../../dist/index.js', import.meta.url).href)
    : await import('../../src/index.js')
) as Library;
const { BedrockStreamingClient: Client } = library;

export function createOursDriver(endpoint: string): BenchDriver {
  const client = new Client({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS });
  return oursDriver(
    'ours',
    'InvokeModelWithResponseStream, the client as constructed (its own SDK client, HTTP/2), lean raw-body decoder',
    client,
    () => client.destroy(),
  );
}

export function createOursSdkHandlerDriver(endpoint: string): BenchDriver {
  const sdk = new BedrockRuntimeClient({ endpoint, region: BENCH_REGION, credentials: BENCH_CREDENTIALS });
  return oursDriver(
    'ours-sdk-handler',
    'InvokeModelWithResponseStream, a default SDK client (HTTP/2, a session per stream), lean raw-body decoder',
    new Client({ client: sdk }),
    () => sdk.destroy(),
  );
}

function oursDriver(name: string, transport: string, client: BedrockStreamingClient, close: () => void): BenchDriver {
  return {
    name,
    transport,
    async stream(modelId: string, prompt: string, maxTokens: number, options?: StreamOptions) {
      const stream = client.invokeStream({
        modelId,
        prompt,
        maxTokens,
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      const collector = new TextCollector(options);
      for await (const delta of stream) collector.add(delta);
      return collector.result();
    },
    async close() {
      close();
    },
  };
}
