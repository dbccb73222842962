/**
 * Optional OpenTelemetry spans following the GenAI semantic conventions. @opentelemetry/api is an
 * optional peer dependency, loaded lazily once; without it, or without a registered tracer (the span
 * is then non-recording), every call here is a no-op.
 */
import type * as OtelApiModule from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { BedrockInferenceError } from '../errors.js';
import type { NormalizedRequest } from '../models/types.js';
import type { InferenceResult } from './types.js';

type OtelApi = typeof OtelApiModule;

const TRACER_NAME = 'aws-bedrock-inference';
let api: OtelApi | null | undefined;
let loading: Promise<OtelApi | null> | undefined;

function loadApi(): Promise<OtelApi | null> {
  loading ??= import('@opentelemetry/api').then(
    (module) => (api = module),
    () => (api = null),
  );
  return loading;
}

/** A started span, or undefined when tracing is off (callers then skip all telemetry work). */
export interface CallSpan {
  end(result: InferenceResult): void;
  fail(error: BedrockInferenceError, attempts: number): void;
}

export async function startCallSpan(
  operation: 'chat',
  modelId: string,
  request: NormalizedRequest,
  streaming: boolean,
): Promise<CallSpan | undefined> {
  const otel = api === undefined ? await loadApi() : api;
  if (otel === null) return undefined;
  const span = otel.trace.getTracer(TRACER_NAME).startSpan(`${operation} ${modelId}`, {
    kind: otel.SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': operation,
      'gen_ai.system': 'aws.bedrock',
      'gen_ai.request.model': modelId,
      'gen_ai.request.max_tokens': request.maxTokens,
      'aws_bedrock_inference.streaming': streaming,
    },
  });
  if (!span.isRecording()) return undefined;
  if (request.temperature !== undefined) span.setAttribute('gen_ai.request.temperature', request.temperature);
  if (request.topP !== undefined) span.setAttribute('gen_ai.request.top_p', request.topP);
  if (request.topK !== undefined) span.setAttribute('gen_ai.request.top_k', request.topK);
  return recordingSpan(otel, span);
}

function recordingSpan(otel: OtelApi, span: Span): CallSpan {
  return {
    end(result) {
      span.setAttributes({
        'gen_ai.response.model': result.modelId,
        'gen_ai.response.finish_reasons': [result.rawStopReason ?? result.stopReason],
        'gen_ai.usage.input_tokens': result.usage.inputTokens,
        'gen_ai.usage.output_tokens': result.usage.outputTokens,
        'aws_bedrock_inference.attempts': result.attempts,
        'aws_bedrock_inference.resumes': result.resumes,
      });
      if (result.requestId !== undefined) span.setAttribute('gen_ai.response.id', result.requestId);
      if (result.metrics.timeToFirstTokenMs !== null) {
        span.setAttribute('aws_bedrock_inference.time_to_first_token_ms', result.metrics.timeToFirstTokenMs);
      }
      span.end();
    },
    fail(error, attempts) {
      span.setAttributes({ 'error.type': error.name, 'aws_bedrock_inference.attempts': attempts });
      if (error.requestId !== undefined) span.setAttribute('gen_ai.response.id', error.requestId);
      span.recordException(
        error.stack === undefined
          ? { name: error.name, message: error.message }
          : { name: error.name, message: error.message, stack: error.stack },
      );
      span.setStatus({ code: otel.SpanStatusCode.ERROR, message: error.message });
      span.end();
    },
  };
}
