/**
 * Fault injection: rules that script what the next matching requests get instead of a clean answer
 * (bedrock-wire.md §3.1 pre-stream errors, §2.5 mid-stream exceptions, and transport-level breakage).
 * Rules come from `startEmulator({ faults })`, the admin API, or `emulator.faults.add()` in tests.
 */
import { z } from 'zod';
import { BEDROCK_ERROR_STATUS, type BedrockErrorName } from './bedrock-error.js';
import type { EmulatorOperation } from './request-log.js';

const errorNames = Object.keys(BEDROCK_ERROR_STATUS) as [BedrockErrorName, ...BedrockErrorName[]];

/** The exception members of Bedrock's stream unions (ConverseStream has no modelTimeoutException). */
export const STREAM_EXCEPTION_TYPES = [
  'internalServerException',
  'modelStreamErrorException',
  'validationException',
  'throttlingException',
  'modelTimeoutException',
  'serviceUnavailableException',
] as const;

const afterChunks = z.number().int().min(0);

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('error'),
    errorType: z.enum(errorNames),
    message: z.string().optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
  }),
  z.object({
    kind: z.literal('stream-exception'),
    exceptionType: z.enum(STREAM_EXCEPTION_TYPES),
    afterChunks,
    message: z.string().optional(),
    originalStatusCode: z.number().int().optional(),
  }),
  z.object({ kind: z.literal('error-frame'), afterChunks, errorCode: z.string(), errorMessage: z.string() }),
  z.object({ kind: z.enum(['reset', 'truncate', 'corrupt-crc', 'end-early']), afterChunks }),
  z.object({ kind: z.literal('stall'), afterChunks, ms: z.number().int().min(0) }),
  z.object({ kind: z.literal('slow-first-byte'), ms: z.number().int().min(0) }),
  // Connection-level faults (connection-faults.ts), before any response headers.
  z.object({ kind: z.literal('freeze') }),
  z.object({ kind: z.literal('goaway'), close: z.boolean().optional() }),
  z.object({ kind: z.literal('rst-stream'), code: z.number().int().min(0).max(13) }),
]);

export const operationSchema = z.enum([
  'InvokeModel',
  'InvokeModelWithResponseStream',
  'Converse',
  'ConverseStream',
  'CountTokens',
]);

export const faultRuleSchema = z.object({
  fault: faultSpecSchema,
  /** How many matching requests get the fault (default 1); `always` never runs out. */
  times: z.union([z.number().int().min(1), z.literal('always')]).optional(),
  match: z
    .object({
      modelId: z.string().optional(),
      operation: operationSchema.optional(),
      /** Only this SDK attempt (`amz-sdk-request: attempt=N`), e.g. 1 to throttle the first try only. */
      attempt: z.number().int().min(1).optional(),
    })
    .optional(),
});

export type FaultSpec = z.infer<typeof faultSpecSchema>;
export type FaultRule = z.input<typeof faultRuleSchema>;
export type ConnectionFault = Extract<FaultSpec, { kind: 'freeze' | 'goaway' | 'rst-stream' }>;
export type StreamFault = Exclude<FaultSpec, { kind: 'error' } | { kind: 'slow-first-byte' } | ConnectionFault>;

export function isConnectionFault(fault: FaultSpec): fault is ConnectionFault {
  return fault.kind === 'freeze' || fault.kind === 'goaway' || fault.kind === 'rst-stream';
}

export interface FaultTarget {
  modelId: string;
  baseModelId: string;
  operation: EmulatorOperation;
  attempt: number;
}

interface ActiveRule {
  fault: FaultSpec;
  remaining: number;
  match: NonNullable<FaultRule['match']>;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    const parsed = faultRuleSchema.parse(rule);
    const times = parsed.times ?? 1;
    this.rules.push({
      fault: parsed.fault,
      remaining: times === 'always' ? Number.POSITIVE_INFINITY : times,
      match: parsed.match ?? {},
    });
  }

  clear(): void {
    this.rules = [];
  }

  pending(): { fault: FaultSpec; remaining: number | 'always' }[] {
    return this.rules.map(({ fault, remaining }) => ({
      fault,
      remaining: remaining === Number.POSITIVE_INFINITY ? 'always' : remaining,
    }));
  }

  /** Takes the first rule matching this request, consuming one of its uses. */
  take(target: FaultTarget): FaultSpec | undefined {
    const index = this.rules.findIndex((rule) => matches(rule, target));
    if (index === -1) return undefined;
    const rule = this.rules[index]!;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.rules.splice(index, 1);
    return rule.fault;
  }
}

function matches(rule: ActiveRule, target: FaultTarget): boolean {
  const { modelId, operation, attempt } = rule.match;
  if (modelId !== undefined && modelId !== target.modelId && modelId !== target.baseModelId) return false;
  if (operation !== undefined && operation !== target.operation) return false;
  if (attempt !== undefined && attempt !== target.attempt) return false;
  const anyOperation =
    rule.fault.kind === 'error' || rule.fault.kind === 'slow-first-byte' || isConnectionFault(rule.fault);
  if (!anyOperation && !isStreaming(target.operation)) {
    // Mid-stream faults only make sense on streaming operations; leave the rule for the next stream.
    return false;
  }
  return true;
}

export function isStreaming(operation: EmulatorOperation): boolean {
  return operation === 'InvokeModelWithResponseStream' || operation === 'ConverseStream';
}
