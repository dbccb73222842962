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
import { streamResponse } from './stream-response.js';
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

function parseRequest(ctx: OperationContext): GenerationRequest {
  const converse = ctx.entry.operation === 'Converse' || ctx.entry.operation === 'ConverseStream';
  return converse
    ? parseConverseRequest(ctx.body, ctx.model)
    : ctx.model.handler.parseInvokeRequest(ctx.body, { baseModelId: ctx.model.baseModelId });
}

function writerContext(ctx: OperationContext, request: GenerationRequest): WriterContext {
  return {
    modelId: ctx.model.modelId,
    baseModelId: ctx.model.baseModelId,
    requestId: ctx.requestId,
    inputTokens: request.inputTokens,
  };
}

async function answerWhole(ctx: OperationContext): Promise<void> {
  const request = parseRequest(ctx);
  const reservation = ctx.quota.admit(ctx.model, request.inputTokens, request.maxTokens);
  const controller = new AbortController();
  ctx.res.once('close', () => controller.abort());
  let outputTokens = 0;
  try {
    const output = await generateAll(ctx.backend, request, controller.signal);
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
      metrics: {
        inputTokenCount: request.inputTokens,
        outputTokenCount: outputTokens,
        invocationLatency,
        firstByteLatency: invocationLatency,
      },
    };
    const context = writerContext(ctx, request);
    if (ctx.entry.operation === 'Converse') {
      const body = converseResponse(context, { reasoning: output.reasoning, text: output.text, end });
      sendJson(ctx.res, 200, body, { 'x-amzn-requestid': ctx.requestId });
    } else {
      const body = ctx.model.handler.invokeResponse(context, { reasoning: output.reasoning, text: output.text, end });
      const accept = ctx.req.headers['accept'];
      sendJson(ctx.res, 200, body, {
        'x-amzn-requestid': ctx.requestId,
        'content-type': typeof accept === 'string' && accept !== '*/*' ? accept : 'application/json',
        'x-amzn-bedrock-invocation-latency': invocationLatency,
        'x-amzn-bedrock-input-token-count': request.inputTokens,
        'x-amzn-bedrock-output-token-count': outputTokens,
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
  const request = parseRequest(ctx);
  const reservation = ctx.quota.admit(ctx.model, request.inputTokens, request.maxTokens);
  const context = writerContext(ctx, request);
  const invoke = ctx.entry.operation === 'InvokeModelWithResponseStream';
  const frames = invoke
    ? invokeFrameWriter(ctx.model.handler.createStreamWriter(context), ctx.pacer)
    : converseFrameWriter(createConverseStreamWriter(context), ctx.pacer);
  await streamResponse({
    res: ctx.res,
    entry: ctx.entry,
    log: ctx.log,
    frames,
    backend: ctx.backend,
    request,
    pacer: ctx.pacer,
    fault: ctx.fault,
    startedAt: ctx.startedAt,
    headers: invoke
      ? { 'x-amzn-requestid': ctx.requestId, 'x-amzn-bedrock-content-type': 'application/json' }
      : { 'x-amzn-requestid': ctx.requestId },
    onUsage: (usage) => reservation.settle(usage),
  });
}
