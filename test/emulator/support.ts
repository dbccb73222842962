/**
 * Shared helpers for emulator tests: an emulator and the real AWS SDK pointed at it, the `emulator` command
 * run as a user runs it, and Claude bodies.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/server.js';

export const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';

export function sdkClient(
  url: string,
  options: {
    http1?: boolean;
    maxAttempts?: number;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } = {},
): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' },
    ...(options.http1 ? { requestHandler: new NodeHttpHandler() } : {}),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}

/**
 * An emulator (instant speed, a free port; `options` adds to or overrides that, e.g. guardrails or scripts
 * given from the start) and the real SDK pointed at it, for one test file: started before its tests, closed
 * after them. With `clearEachTest`, the faults, scripted answers and request log the tests add are cleared
 * before each test (leave it off when `options` gives scripts or faults the whole file relies on). Read `emu`
 * and `client` inside tests (they are set once the file's tests start).
 */
export function useEmulator(
  options: EmulatorOptions = {},
  { clearEachTest = false }: { clearEachTest?: boolean } = {},
): { readonly emu: Emulator; readonly client: BedrockRuntimeClient } {
  const rig = {} as { emu: Emulator; client: BedrockRuntimeClient };
  beforeAll(async () => {
    rig.emu = await startEmulator({ port: 0, speed: 'instant', ...options });
    rig.client = sdkClient(rig.emu.url);
  });
  afterAll(async () => {
    rig.client?.destroy();
    await rig.emu?.close();
  });
  if (clearEachTest) {
    beforeEach(() => {
      rig.emu.scripts.clear();
      rig.emu.faults.clear();
      rig.emu.requestLog.clear();
    });
  }
  return rig;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * `bedrock-inference emulator <args>` as a child process: `url` resolves once it prints where it listens
 * (and rejects, unobserved, if it exits first: a run expected to fail never prints it), `exited` with its
 * exit code; `output()` is everything it printed so far.
 */
export function runEmulatorCommand(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'emulator', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${output}`)));
  });
  // A run that is expected to fail never prints its URL: that rejection is not an error of the test.
  url.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { url, exited, output: () => output, stop: () => child.kill('SIGTERM') };
}

/** A JSON body as the tests read it. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Catches what a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error('expected a rejection');
}

/** InvokeModel with a JSON body, answering the parsed JSON response. */
export async function invokeJson(client: BedrockRuntimeClient, modelId: string, body: Json): Promise<Json> {
  const response = await client.send(
    new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: 'application/json' }),
  );
  return JSON.parse(Buffer.from(response.body).toString('utf8')) as Json;
}

export function claudeBody(prompt: string, maxTokens = 120, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: maxTokens,
    messages: [{ role: 'user', content: prompt }],
    ...extra,
  });
}

export interface CollectedStream {
  chunks: Record<string, unknown>[];
  text: string;
  error?: Error;
}

/** Streams through the SDK's own event-stream decoding and keeps every chunk (and the error, if any). */
export async function collectInvokeStream(
  client: BedrockRuntimeClient,
  modelId: string,
  body: string,
  signal?: AbortSignal,
): Promise<CollectedStream & { requestId: string | undefined; contentType: string | undefined }> {
  const response = await client.send(
    new InvokeModelWithResponseStreamCommand({ modelId, body, contentType: 'application/json' }),
    signal ? { abortSignal: signal } : {},
  );
  const collected: CollectedStream = { chunks: [], text: '' };
  try {
    for await (const event of response.body ?? []) {
      if (event.chunk?.bytes) {
        const chunk = JSON.parse(Buffer.from(event.chunk.bytes).toString('utf8')) as Record<string, unknown>;
        collected.chunks.push(chunk);
        collected.text += claudeText(chunk);
      }
    }
  } catch (error) {
    collected.error = error as Error;
  }
  return { ...collected, requestId: response.$metadata.requestId, contentType: response.contentType };
}

function claudeText(chunk: Record<string, unknown>): string {
  const delta = chunk['delta'] as { type?: string; text?: string } | undefined;
  return chunk['type'] === 'content_block_delta' && delta?.type === 'text_delta' ? (delta.text ?? '') : '';
}

export async function invokeText(client: BedrockRuntimeClient, modelId: string, body: string) {
  const response = await client.send(new InvokeModelCommand({ modelId, body, contentType: 'application/json' }));
  const parsed = JSON.parse(Buffer.from(response.body).toString('utf8')) as {
    content: { type: string; text?: string }[];
    stop_reason: string;
    usage: { input_tokens: number; output_tokens: number };
  };
  return { response, parsed, text: parsed.content.map((block) => block.text ?? '').join('') };
}
