/** Shared helpers for emulator tests: the real AWS SDK pointed at an emulator, and Claude bodies. */
import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

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
