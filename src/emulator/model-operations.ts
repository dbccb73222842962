/**
 * The five Bedrock operations on a resolved model: parse and validate the body the family's way,
 * admit it against the quota, then answer as JSON (InvokeModel, Converse, CountTokens) or as an
 * event stream (InvokeModelWithResponseStream, ConverseStream).
 */
import { BedrockServiceError } from './bedrock-error.js';
import { converseResponse, createConverseStreamWriter, parseConverseRequest } from './converse.js';
import { countTokensRequest } from './count-tokens.js';
import type { GenerationRequest, TextBackend, WriterContext } from './families/types.js';
import type { StreamFault } from './faults.js';
import { generateAll, pause } from './generation.js';
import { sendJson } from './http-io.js';
import type { ResolvedModel } from './model-catalog.js';
import type { QuotaSimulator } from './quota.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import { converseFrameWriter, invokeFrameWriter } from './stream-frames.js';
import { cacheMetrics, streamResponse } from './stream-response.js';
import type { PromptCache } from './prompt-cache.js';
import { blockedInputBackend, converseTrace, findBlockedWord, guardedBackend, invokeTrace } from './guardrails.js';
import type { GuardrailOutcome, GuardrailRegistry } from './guardrails.js';
import { optionHeaders, readConverseOptions, readInvokeOptions, type RequestOptions } from './request-options.js';
import type { FinishExtras } from './stream-frames.js';
import type { Pacer } from './timing.js';
import type { EmulatorRequest, EmulatorResponse } from './transport.js';

export interface OperationContext {
  req: EmulatorRequest;
  res: EmulatorResponse;
  model: ResolvedModel;
  body: unknown;
  requestId: string;
  entry: RequestLogEntry;
  log: RequestLog;
  backend: TextBackend;
  quota: QuotaSimulator;
  pacer: Pacer;
  fault: StreamFault | undefined;
  startedAt: number;
  guardrails: GuardrailRegistry;
  promptCache: PromptCache;
}

/** A parsed request with the backend that answers it and what Bedrock adds around the answer. */
interface Prepared {
  request: GenerationRequest;
  backend: TextBackend;
  options: RequestOptions;
  /** Fields for the closing chunk / InvokeModel body (guardrail action and trace). */
  invokeExtras: FinishExtras | undefined;
  /** Fields for Converse's metadata / response (trace, performanceConfig, serviceTier). */
  converseExtras: FinishExtras | undefined;
}

export async function runOperation(ctx: OperationContext): Promise<void> {
  const { model, entry } = ctx;
  switch (entry.operation) {
    case 'CountTokens':
      sendJson(ctx.res, 200, countTokensRequest(ctx.body, model), { 'x-amzn-requestid': ctx.requestId });
      ctx.log.finish(entry, 'completed');
      return;
    case 'InvokeModel':
    case 'Converse':
      return answerWhole(ctx);
    case 'InvokeModelWithResponseStream':
    case 'ConverseStream':
      return answerStream(ctx);
  }
}

function prepare(ctx: OperationContext): Prepared {
  const converse = ctx.entry.operation === 'Converse' || ctx.entry.operation === 'ConverseStream';
  let options: RequestOptions;
  let request: GenerationRequest;
  if (converse) {
    options = readConverseOptions(ctx.body, ctx.guardrails);
    request = parseRequest(ctx, ctx.body, true);
  } else {
    const read = readInvokeOptions(ctx.req, ctx.body, ctx.guardrails);
    options = read.options;
    request = parseRequest(ctx, read.body, false);
  }
  if (options.latency !== undefined) ctx.entry.latency = options.latency;
  if (options.serviceTier !== undefined) ctx.entry.serviceTier = options.serviceTier;
  if (options.requestMetadata !== undefined) ctx.entry.requestMetadata = options.requestMetadata;
  if (request.cachePoints !== undefined) {
    const used = ctx.promptCache.use(ctx.model.baseModelId, request.cachePoints);
    // The emulator's prefix count can differ from the whole by the turn labels: never more than the input.
    const read = Math.min(used.read, request.inputTokens);
    const write = Math.min(used.write, request.inputTokens - read);
    request.cache = { read, write };
    request.inputTokens -= read + write;
    ctx.entry.cache = request.cache;
  }
  const applied = options.guardrail;
  if (applied === undefined) {
    const serviceFields = converseServiceFields(options);
    return {
      request,
      backend: ctx.backend,
      options,
      invokeExtras: undefined,
      converseExtras: serviceFields === undefined ? undefined : () => serviceFields,
    };
  }
  const outcome: GuardrailOutcome = { action: 'NONE' };
  const inputWord = findBlockedWord(applied.guardrail, `${request.conversation}\n${request.prefill ?? ''}`);
  let backend: TextBackend;
  if (inputWord !== undefined) {
    outcome.action = 'INTERVENED';
    outcome.blocked = { word: inputWord, phase: 'input' };
    backend = blockedInputBackend(applied.guardrail.blockedInputMessaging);
  } else backend = guardedBackend(ctx.backend, applied, outcome);
  const traced = applied.trace !== 'disabled';
  const logGuardrail = () => {
    ctx.entry.guardrail = {
      id: applied.guardrail.id,
      version: applied.guardrail.version,
      action: outcome.action,
      ...(outcome.blocked === undefined ? {} : { blocked: outcome.blocked }),
    };
  };
  logGuardrail();
  return {
    request,
    backend,
    options,
    invokeExtras: () => {
      logGuardrail();
      return {
        'amazon-bedrock-guardrailAction': outcome.action,
        ...(traced ? { 'amazon-bedrock-trace': invokeTrace(applied, outcome) } : {}),
      };
    },
    converseExtras: () => {
      logGuardrail();
      return { ...(traced ? { trace: converseTrace(applied, outcome) } : {}), ...converseServiceFields(options) };
    },
  };
}

/** Converse echoes the latency profile and service tier it ran with. */
function converseServiceFields(options: RequestOptions): Record<string, unknown> | undefined {
  if (options.latency === undefined && options.serviceTier === undefined) return undefined;
  return {
    ...(options.latency === undefined ? {} : { performanceConfig: { latency: options.latency } }),
    ...(options.serviceTier === undefined ? {} : { serviceTier: { type: options.serviceTier } }),
  };
}

function parseRequest(ctx: OperationContext, body: unknown, converse: boolean): GenerationRequest {
  const request = converse
    ? parseConverseRequest(body, ctx.model)
    : ctx.model.handler.parseInvokeRequest(body, { baseModelId: ctx.model.baseModelId });
  if (request.tools !== undefined) {
    const { choice, definitions } = request.tools;
    ctx.entry.tools = definitions.map((tool) => tool.name);
    ctx.entry.toolChoice = choice.type === 'tool' ? `tool:${choice.name}` : choice.type;
  }
  if (request.toolResults !== undefined) ctx.entry.toolResults = request.toolResults.length;
  return request;
}

function writerContext(ctx: OperationContext, request: GenerationRequest): WriterContext {
  return {
    modelId: ctx.model.modelId,
    baseModelId: ctx.model.baseModelId,
    requestId: ctx.requestId,
    inputTokens: request.inputTokens,
    ...(request.cache === undefined ? {} : { cache: request.cache }),
  };
}

async function answerWhole(ctx: OperationContext): Promise<void> {
  const { request, backend, options, invokeExtras, converseExtras } = prepare(ctx);
  const reservation = ctx.quota.admit(ctx.model, request.inputTokens, request.maxTokens);
  const controller = new AbortController();
  ctx.res.once('close', () => controller.abort());
  let outputTokens = 0;
  try {
    const output = await generateAll(backend, request, controller.signal);
    outputTokens = output.result.outputTokens;
    // A non-streaming call takes as long as the whole generation would.
    await pause(ctx.pacer.firstTokenDelayMs() + ctx.pacer.delayForTokensMs(outputTokens), controller.signal);
    if (controller.signal.aborted) {
      ctx.log.finish(ctx.entry, 'client-aborted');
      return;
    }
    const invocationLatency = Date.now() - ctx.startedAt;
    const end = {
      ...output.result,
      inputTokens: request.inputTokens,
      ...(request.cache === undefined ? {} : { cache: request.cache }),
      metrics: {
        ...cacheMetrics(request),
        inputTokenCount: request.inputTokens,
        outputTokenCount: outputTokens,
        invocationLatency,
        firstByteLatency: invocationLatency,
      },
    };
    const context = writerContext(ctx, request);
    const whole = { reasoning: output.reasoning, text: output.text, toolCalls: output.toolCalls, end };
    if (ctx.entry.operation === 'Converse') {
      const body = { ...converseResponse(context, whole), ...converseExtras?.(end) };
      sendJson(ctx.res, 200, body, { 'x-amzn-requestid': ctx.requestId });
    } else {
      const body = { ...ctx.model.handler.invokeResponse(context, whole), ...invokeExtras?.(end) };
      const accept = ctx.req.headers['accept'];
      sendJson(ctx.res, 200, body, {
        ...optionHeaders(options),
        'x-amzn-requestid': ctx.requestId,
        'content-type': typeof accept === 'string' && accept !== '*/*' ? accept : 'application/json',
        'x-amzn-bedrock-invocation-latency': invocationLatency,
        'x-amzn-bedrock-input-token-count': request.inputTokens,
        'x-amzn-bedrock-output-token-count': outputTokens,
        ...(request.cache === undefined
          ? {}
          : {
              'x-amzn-bedrock-cache-read-input-token-count': request.cache.read,
              'x-amzn-bedrock-cache-write-input-token-count': request.cache.write,
            }),
      });
    }
    ctx.log.finish(ctx.entry, 'completed');
  } finally {
    reservation.settle({ inputTokens: request.inputTokens, outputTokens });
  }
}

async function answerStream(ctx: OperationContext): Promise<void> {
  if (!ctx.model.handler.streaming) {
    throw new BedrockServiceError('ValidationException', 'The model is unsupported for streaming.');
  }
  const { request, backend, options, invokeExtras, converseExtras } = prepare(ctx);
  const reservation = ctx.quota.admit(ctx.model, request.inputTokens, request.maxTokens);
  const context = writerContext(ctx, request);
  const invoke = ctx.entry.operation === 'InvokeModelWithResponseStream';
  const frames = invoke
    ? invokeFrameWriter(ctx.model.handler.createStreamWriter(context), ctx.pacer, invokeExtras)
    : converseFrameWriter(createConverseStreamWriter(context), ctx.pacer, converseExtras);
  await streamResponse({
    res: ctx.res,
    entry: ctx.entry,
    log: ctx.log,
    frames,
    backend,
    request,
    pacer: ctx.pacer,
    fault: ctx.fault,
    startedAt: ctx.startedAt,
    headers: invoke
      ? {
          ...optionHeaders(options),
          'x-amzn-requestid': ctx.requestId,
          'x-amzn-bedrock-content-type': 'application/json',
        }
      : { 'x-amzn-requestid': ctx.requestId },
    onUsage: (usage) => reservation.settle(usage),
  });
}
