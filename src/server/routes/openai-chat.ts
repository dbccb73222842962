/**
 * POST /v1/chat/completions: OpenAI-compatible, streaming (`chat.completion.chunk` SSE ending in
 * `[DONE]`, usage when `stream_options.include_usage`) and not. Reasoning goes out as
 * `delta.reasoning_content` (the convention OpenAI-compatible servers use), tool calls as
 * `delta.tool_calls` (name first, then argument fragments) ending with `finish_reason: "tool_calls"`, and a
 * guardrail's intervention as `finish_reason: "content_filter"`. Per chunk only the delta is JSON-encoded;
 * the rest of the chunk is a prefix built once per stream.
 */
import { randomUUID } from 'node:crypto';
import type { InferenceResult, StopReason, StreamEvent } from '../../index.js';
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

export function finishReason(reason: StopReason, result?: Pick<InferenceResult, 'guardrail'>): string {
  if (result?.guardrail?.action === 'intervened') return 'content_filter';
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
      const message: Record<string, unknown> = {
        role: 'assistant',
        content: result.text === '' && result.toolCalls.length > 0 ? null : result.text,
        refusal: null,
      };
      if (result.reasoning !== '') message.reasoning_content = result.reasoning;
      if (result.toolCalls.length > 0) {
        message.tool_calls = result.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.input) },
        }));
      }
      sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(result.stopReason, result) }],
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
  const toolCallsPrefix = `${head},"choices":[{"index":0,"delta":{"tool_calls":`;
  const meter = streamStarted(ctx, ROUTE, call.startedAt);
  const stream = ctx.client.invokeStream(params.request);
  const events = stream.events();
  const toolCalls = new ToolCallChunks();
  let writer: SseWriter | undefined;
  let outcome: 'done' | 'disconnected' | 'error' = 'error';
  try {
    for await (const event of events) {
      recordStreamEvent(ctx, meter, event);
      let chunk: string;
      if (event.type === 'text' || event.type === 'reasoning') {
        chunk = (event.type === 'text' ? contentPrefix : reasoningPrefix) + JSON.stringify(event.delta) + suffix;
      } else {
        const deltas = toolCalls.deltas(event);
        if (deltas === undefined) continue;
        // One entry per chunk, as OpenAI sends them (the name first, then argument fragments).
        chunk = deltas.map((delta) => `${toolCallsPrefix}[${JSON.stringify(delta)}]${suffix}`).join('');
      }
      if (writer === undefined) {
        writer = new SseWriter(res, { heartbeatMs: ctx.heartbeatMs });
        await writer.write(
          `${head},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`,
        );
      }
      const full = writer.write(chunk);
      if (full !== undefined) await full;
    }
    const result = await stream.finalResult();
    writer ??= new SseWriter(res, { heartbeatMs: ctx.heartbeatMs });
    let tail = `${head},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishReason(result.stopReason, result)}"}]${usageField}}\n\n`;
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

/**
 * Tool call events as OpenAI `delta.tool_calls` entries: the first names the call (index, id, type,
 * function.name, empty arguments), later ones carry `function.arguments` fragments. A call that arrives
 * whole (no start or fragments seen) goes out as both at once.
 */
class ToolCallChunks {
  readonly #calls = new Map<string, { index: number; argumentsSent: boolean }>();

  deltas(event: StreamEvent): Record<string, unknown>[] | undefined {
    switch (event.type) {
      case 'tool-call-start':
        return [this.#start(event.id, event.name)];
      case 'tool-call-delta': {
        const known = this.#calls.get(event.id);
        if (known === undefined || event.inputDelta === '') return undefined;
        known.argumentsSent = true;
        return [{ index: known.index, function: { arguments: event.inputDelta } }];
      }
      case 'tool-call': {
        const known = this.#calls.get(event.id);
        const out = known === undefined ? [this.#start(event.id, event.name)] : [];
        const call = this.#calls.get(event.id)!;
        if (!call.argumentsSent) {
          call.argumentsSent = true;
          out.push({ index: call.index, function: { arguments: JSON.stringify(event.input) } });
        }
        return out.length === 0 ? undefined : out;
      }
      default:
        return undefined;
    }
  }

  #start(id: string, name: string): Record<string, unknown> {
    const index = this.#calls.size;
    this.#calls.set(id, { index, argumentsSent: false });
    return { index, id, type: 'function', function: { name, arguments: '' } };
  }
}
