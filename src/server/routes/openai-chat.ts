/**
 * POST /v1/chat/completions: OpenAI-compatible, streaming (`chat.completion.chunk` SSE ending in
 * `[DONE]`, usage when `stream_options.include_usage`) and not. Reasoning goes out as
 * `delta.reasoning_content` (the convention OpenAI-compatible servers use). Per chunk only the delta
 * text is JSON-encoded; the rest of the chunk is a prefix built once per stream.
 */
import { randomUUID } from 'node:crypto';
import type { InferenceResult, StopReason } from '../../index.js';
import { buildInferenceRequest } from '../http/build-request.js';
import { HttpError, sendJson } from '../http/http-error.js';
import { factsOf } from '../http/map-library-error.js';
import { parseOpenAIChat } from '../http/openai-request.js';
import { readJsonBody } from '../http/read-json-body.js';
import { SseWriter } from '../http/sse-writer.js';
import { BedrockInferenceError } from '../../index.js';
import { clientAbort, type RouteCall } from './route-call.js';
import { errorType, recordStreamEvent, streamFinished, streamStarted } from './stream-metrics.js';

const ROUTE = 'openai-chat';

export function finishReason(reason: StopReason): string {
  switch (reason) {
    case 'max_tokens':
    case 'context_window_exceeded':
      return 'length';
    case 'content_filtered':
    case 'guardrail_intervened':
    case 'refusal':
      return 'content_filter';
    case 'tool_use':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

function usageOf(result: Pick<InferenceResult, 'usage'>) {
  const { inputTokens, outputTokens } = result.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

export async function openaiChatCompletions(call: RouteCall): Promise<void> {
  const { ctx, res } = call;
  const { body, fields } = parseOpenAIChat(await readJsonBody(call.req, ctx.limits));
  const built = buildInferenceRequest(fields, ctx);
  call.log.info({ model: built.model, stream: body.stream === true, promptChars: built.promptChars }, 'openai chat');
  const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
  const created = Math.floor(Date.now() / 1000);
  const abort = clientAbort(call);
  built.request.signal = abort.signal;
  try {
    if (body.stream !== true) {
      const result = await ctx.client.invoke(built.request).catch((error: unknown) => {
        throw ctx.closing ? shuttingDown() : error;
      });
      if (result.usage.inputTokens > 0) ctx.metrics.tokens.inc({ kind: 'input' }, result.usage.inputTokens);
      ctx.metrics.tokens.inc({ kind: 'output' }, result.usage.outputTokens);
      const message: Record<string, unknown> = { role: 'assistant', content: result.text, refusal: null };
      if (result.reasoning !== '') message.reasoning_content = result.reasoning;
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(result.stopReason) }],
        usage: usageOf(result),
      });
      return;
    }
    await streamChunks(call, {
      id,
      created,
      model: body.model,
      includeUsage: body.stream_options?.include_usage === true,
      request: built.request,
      abort,
    });
  } finally {
    abort.release();
  }
}

async function streamChunks(
  call: RouteCall,
  params: {
    id: string;
    created: number;
    model: string;
    includeUsage: boolean;
    request: Parameters<RouteCall['ctx']['client']['invokeStream']>[0];
    abort: ReturnType<typeof clientAbort>;
  },
): Promise<void> {
  const { ctx, res } = call;
  const usageField = params.includeUsage ? ',"usage":null' : '';
  const head = `data: {"id":"${params.id}","object":"chat.completion.chunk","created":${params.created},"model":${JSON.stringify(params.model)}`;
  const contentPrefix = `${head},"choices":[{"index":0,"delta":{"content":`;
  const reasoningPrefix = `${head},"choices":[{"index":0,"delta":{"reasoning_content":`;
  const suffix = `},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`;
  const meter = streamStarted(ctx, ROUTE, call.startedAt);
  const stream = ctx.client.invokeStream(params.request);
  const events = stream.events();
  let writer: SseWriter | undefined;
  let outcome: 'done' | 'disconnected' | 'error' = 'error';
  try {
    for await (const event of events) {
      recordStreamEvent(ctx, meter, event);
      if (event.type !== 'text' && event.type !== 'reasoning') continue;
      if (writer === undefined) {
        writer = new SseWriter(res, { heartbeatMs: ctx.heartbeatMs });
        await writer.write(
          `${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`,
        );
      }
      const prefix = event.type === 'text' ? contentPrefix : reasoningPrefix;
      const full = writer.write(prefix + JSON.stringify(event.delta) + suffix);
      if (full !== undefined) await full;
    }
    const result = await stream.finalResult();
    writer ??= new SseWriter(res, { heartbeatMs: ctx.heartbeatMs });
    let tail = `${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishReason(result.stopReason)}"}]${usageField}}\n\n`;
    if (params.includeUsage) tail += `${head},"choices":[],"usage":${JSON.stringify(usageOf(result))}}\n\n`;
    writer.write(`${tail}data: [DONE]\n\n`);
    outcome = 'done';
  } catch (error) {
    if (params.abort.disconnected()) outcome = 'disconnected';
    else if (writer === undefined)
      throw ctx.closing ? shuttingDown() : error; // nothing sent: the app answers with an HTTP status
    else {
      const shutdown = ctx.closing;
      ctx.metrics.errors.inc({ type: shutdown ? 'ServerShuttingDown' : errorType(error) });
      const body = shutdown ? shuttingDownStreamError(stream.text) : openaiStreamError(error, stream.text);
      writer.write(`data: ${JSON.stringify({ error: body })}\n\n`);
    }
  } finally {
    writer?.end();
    streamFinished(ctx, meter, outcome);
  }
}

/** Shutdown cut the stream: retryable, as /api/chat's `ServerShuttingDown` event says. */
function shuttingDownStreamError(partialText: string): Record<string, unknown> {
  return {
    message: 'The server is shutting down; send the request again (the partial answer is in partial_text).',
    type: 'ServerShuttingDown',
    code: 'server_shutting_down',
    retryable: true,
    partial_text: partialText,
  };
}

function shuttingDown(): HttpError {
  return new HttpError(503, 'shutting_down', 'The server is shutting down.', { retryable: true, retryAfterSeconds: 1 });
}

/** The `error` object OpenAI clients read from a failed stream (they throw an APIError with it). */
function openaiStreamError(error: unknown, partialText: string): Record<string, unknown> {
  if (!BedrockInferenceError.isInstance(error)) {
    return {
      message: 'The server failed while streaming; the details are in its logs.',
      type: 'InternalError',
      code: null,
      partial_text: partialText,
    };
  }
  const facts = factsOf(error);
  return {
    message: error.message,
    type: facts.type,
    code: facts.code ?? null,
    retryable: error.retryable,
    partial_text: partialText,
  };
}
