/**
 * The per-request options outside the model body: guardrail, latency profile, service tier and request
 * metadata. InvokeModel* carries them in `X-Amzn-Bedrock-*` headers (bedrock-wire.md §1.2) plus the body's
 * `amazon-bedrock-guardrailConfig` (async mode), which is removed before the family parser sees the body;
 * Converse carries `guardrailConfig`, `performanceConfig`, `serviceTier` and `requestMetadata`.
 */
import { BedrockServiceError } from './bedrock-error.js';
import type { AppliedGuardrail, GuardrailRegistry, GuardrailTraceMode } from './guardrails.js';
import { headerValue } from './http-io.js';
import type { EmulatorRequest } from './transport.js';

export interface RequestOptions {
  guardrail?: AppliedGuardrail;
  latency?: 'standard' | 'optimized';
  serviceTier?: 'priority' | 'default' | 'flex' | 'reserved';
  requestMetadata?: Record<string, string>;
}

const LATENCIES = ['standard', 'optimized'] as const;
const TIERS = ['priority', 'default', 'flex', 'reserved'] as const;
const GUARDRAIL_BODY_KEY = 'amazon-bedrock-guardrailConfig';

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

function enumValue<T extends string>(value: unknown, values: readonly T[], path: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  throw invalid(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
  );
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Request metadata: string keys and values, at most 16 pairs (Converse's RequestMetadata map). */
function readMetadata(value: unknown, path: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const map = record(value);
  if (map === undefined || Object.values(map).some((v) => typeof v !== 'string')) {
    throw invalid(
      `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must be a map of strings`,
    );
  }
  if (Object.keys(map).length > 16) {
    throw invalid(
      `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have length less than or equal to 16`,
    );
  }
  return map as Record<string, string>;
}

/** InvokeModel*: reads the headers and strips the body's guardrail config. Returns the body to parse. */
export function readInvokeOptions(
  req: EmulatorRequest,
  body: unknown,
  guardrails: GuardrailRegistry,
): { options: RequestOptions; body: unknown } {
  const options: RequestOptions = {};
  const latency = enumValue(
    headerValue(req, 'x-amzn-bedrock-performanceconfig-latency'),
    LATENCIES,
    'performanceConfigLatency',
  );
  if (latency !== undefined) options.latency = latency;
  const tier = enumValue(headerValue(req, 'x-amzn-bedrock-service-tier'), TIERS, 'serviceTier');
  if (tier !== undefined) options.serviceTier = tier;
  const metadataHeader = headerValue(req, 'x-amzn-bedrock-request-metadata');
  if (metadataHeader !== undefined) {
    // The SDK's `requestMetadata` is a JSON string, sent as the header's value.
    let parsed: unknown;
    try {
      parsed = JSON.parse(metadataHeader);
    } catch {
      throw invalid(
        `1 validation error detected: Value '${metadataHeader}' at 'requestMetadata' failed to satisfy constraint: Member must be a JSON object of string keys and values`,
      );
    }
    const metadata = readMetadata(parsed, 'requestMetadata');
    if (metadata !== undefined) options.requestMetadata = metadata;
  }

  const identifier = headerValue(req, 'x-amzn-bedrock-guardrailidentifier');
  const bodyRecord = record(body);
  const bodyConfig = bodyRecord === undefined ? undefined : record(bodyRecord[GUARDRAIL_BODY_KEY]);
  let stripped = body;
  if (bodyRecord !== undefined && GUARDRAIL_BODY_KEY in bodyRecord) {
    stripped = { ...bodyRecord };
    delete (stripped as Record<string, unknown>)[GUARDRAIL_BODY_KEY];
    if (identifier === undefined) {
      throw invalid(
        'Guardrail configuration was provided in the request body, but no guardrail identifier was provided in the request header.',
      );
    }
  }
  if (identifier !== undefined) {
    const trace = enumValue(headerValue(req, 'x-amzn-bedrock-trace'), ['ENABLED', 'DISABLED', 'ENABLED_FULL'], 'trace');
    const mode = enumValue(bodyConfig?.streamProcessingMode, ['SYNCHRONOUS', 'ASYNCHRONOUS'], 'streamProcessingMode');
    options.guardrail = {
      guardrail: guardrails.resolve(identifier, headerValue(req, 'x-amzn-bedrock-guardrailversion'), 'invoke'),
      trace: (trace?.toLowerCase() ?? 'disabled') as GuardrailTraceMode,
      mode: mode === 'ASYNCHRONOUS' ? 'async' : 'sync',
    };
  } else if (headerValue(req, 'x-amzn-bedrock-guardrailversion') !== undefined) {
    throw invalid('Guardrail identifier is required when a guardrail version is specified.');
  }
  return { options, body: stripped };
}

/** Converse / ConverseStream: the body's own option fields. */
export function readConverseOptions(body: unknown, guardrails: GuardrailRegistry): RequestOptions {
  const input = record(body) ?? {};
  const options: RequestOptions = {};
  const latency = enumValue(record(input.performanceConfig)?.latency, LATENCIES, 'performanceConfig.latency');
  if (latency !== undefined) options.latency = latency;
  const tier = enumValue(record(input.serviceTier)?.type, TIERS, 'serviceTier.type');
  if (tier !== undefined) options.serviceTier = tier;
  const metadata = readMetadata(input.requestMetadata, 'requestMetadata');
  if (metadata !== undefined) options.requestMetadata = metadata;
  const config = record(input.guardrailConfig);
  if (config !== undefined) {
    if (typeof config.guardrailIdentifier !== 'string' || config.guardrailIdentifier === '') {
      throw invalid(
        "1 validation error detected: Value null at 'guardrailConfig.guardrailIdentifier' failed to satisfy constraint: Member must not be null",
      );
    }
    const trace = enumValue(config.trace, ['enabled', 'disabled', 'enabled_full'], 'guardrailConfig.trace');
    const mode = enumValue(config.streamProcessingMode, ['sync', 'async'], 'guardrailConfig.streamProcessingMode');
    const version = typeof config.guardrailVersion === 'string' ? config.guardrailVersion : undefined;
    options.guardrail = {
      guardrail: guardrails.resolve(config.guardrailIdentifier, version, 'converse'),
      trace: trace ?? 'disabled',
      mode: mode ?? 'sync',
    };
  }
  return options;
}

/** Response headers echoing the latency profile and service tier the request asked for. */
export function optionHeaders(options: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.latency !== undefined) headers['x-amzn-bedrock-performanceconfig-latency'] = options.latency;
  if (options.serviceTier !== undefined) headers['x-amzn-bedrock-service-tier'] = options.serviceTier;
  return headers;
}
