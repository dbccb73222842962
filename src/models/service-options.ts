/**
 * Guardrails and service options on the wire (bedrock-wire.md §1.2): on InvokeModel* they are the SDK
 * command's own input members, sent as `X-Amzn-Bedrock-*` headers, plus the body's
 * `amazon-bedrock-guardrailConfig` for the stream processing mode (which has no header); on Converse they
 * are fields of the JSON input.
 */
import type {
  ConverseStreamCommandInput,
  InvokeModelWithResponseStreamCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import type { NormalizedRequest } from './types.js';

/** The body key InvokeModelWithResponseStream reads the guardrail's stream processing mode from. */
export const GUARDRAIL_BODY_CONFIG = 'amazon-bedrock-guardrailConfig';

type InvokeOptions = Pick<
  InvokeModelWithResponseStreamCommandInput,
  'guardrailIdentifier' | 'guardrailVersion' | 'trace' | 'performanceConfigLatency' | 'serviceTier' | 'requestMetadata'
>;

/** The InvokeModel* command members for the request's guardrail and service options (none when unset). */
export function invokeOptions(request: NormalizedRequest): InvokeOptions {
  const options: InvokeOptions = {};
  const { guardrail } = request;
  if (guardrail !== undefined) {
    options.guardrailIdentifier = guardrail.id;
    options.guardrailVersion = guardrail.version;
    // Always traced: the trace says which side was blocked; the caller sees it only with `trace: true`.
    options.trace = 'ENABLED';
  }
  if (request.performanceConfig !== undefined) options.performanceConfigLatency = request.performanceConfig.latency;
  if (request.serviceTier !== undefined) options.serviceTier = request.serviceTier;
  // The header carries the map as a JSON string.
  if (request.requestMetadata !== undefined) options.requestMetadata = JSON.stringify(request.requestMetadata);
  return options;
}

/** The streaming body's guardrail config: only when a processing mode was asked for. */
export function invokeStreamBodyFields(request: NormalizedRequest): Record<string, unknown> | undefined {
  const mode = request.guardrail?.streamProcessingMode;
  if (mode === undefined) return undefined;
  return { [GUARDRAIL_BODY_CONFIG]: { streamProcessingMode: mode === 'async' ? 'ASYNCHRONOUS' : 'SYNCHRONOUS' } };
}

type ConverseOptions = Pick<
  ConverseStreamCommandInput,
  'guardrailConfig' | 'performanceConfig' | 'serviceTier' | 'requestMetadata'
>;

/** The Converse input fields; `streaming` adds the guardrail's stream processing mode (ConverseStream only). */
export function converseOptions(request: NormalizedRequest, streaming: boolean): ConverseOptions {
  const options: ConverseOptions = {};
  const { guardrail } = request;
  if (guardrail !== undefined) {
    options.guardrailConfig = {
      guardrailIdentifier: guardrail.id,
      guardrailVersion: guardrail.version,
      trace: 'enabled',
      ...(streaming && guardrail.streamProcessingMode !== undefined
        ? { streamProcessingMode: guardrail.streamProcessingMode }
        : {}),
    };
  }
  if (request.performanceConfig !== undefined)
    options.performanceConfig = { latency: request.performanceConfig.latency };
  if (request.serviceTier !== undefined) options.serviceTier = { type: request.serviceTier };
  if (request.requestMetadata !== undefined) options.requestMetadata = { ...request.requestMetadata };
  return options;
}
