/**
 * The request options beyond the prompt, checked once and copied into the NormalizedRequest: content
 * parts' media limits, guardrails, cache points and the service options (performance, tier, metadata).
 * Bedrock would refuse each mistake after a round trip; here it fails first, naming the fix.
 */
import { ValidationError } from '../errors.js';
import type { ContentPart } from '../models/content.js';
import { checkMediaParts } from '../models/media-parts.js';
import type { ChatMessage, NormalizedRequest } from '../models/types.js';
import type { InferenceRequest } from './types.js';

function fail(message: string): never {
  throw new ValidationError(message);
}

const PART_TYPES = new Set(['text', 'image', 'document', 'tool-call', 'tool-result', 'cache-point']);
/** Bedrock's guardrail identifier: an id or a guardrail ARN; the version: a number or DRAFT. */
const GUARDRAIL_ID = /^([a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+)$/;
const GUARDRAIL_VERSION = /^([1-9][0-9]{0,7}|DRAFT)$/;

/** Content given as parts: a non-empty array of known parts; cache points follow something to cache. */
export function checkContentParts(content: readonly ContentPart[], index: number): void {
  if (content.length === 0) fail(`messages[${index}].content is an empty array: pass at least one part.`);
  content.forEach((part, partIndex) => {
    const where = `messages[${index}].content[${partIndex}]`;
    if (typeof part !== 'object' || part === null || !PART_TYPES.has(part.type)) {
      fail(`${where} must be a part with type ${[...PART_TYPES].join(', ')} (got ${JSON.stringify(part)}).`);
    }
    if (part.type === 'text' && typeof part.text !== 'string') fail(`${where}.text must be a string.`);
    if (part.type === 'cache-point' && (partIndex === 0 || content[partIndex - 1]?.type === 'cache-point')) {
      fail(`${where} is a cache point with nothing before it in its message: put it after the content to cache.`);
    }
  });
}

function checkGuardrail(request: InferenceRequest): void {
  const { guardrail } = request;
  if (guardrail === undefined) return;
  if (typeof guardrail !== 'object' || guardrail === null) fail('`guardrail` must be { id, version }.');
  if (typeof guardrail.id !== 'string' || !GUARDRAIL_ID.test(guardrail.id)) {
    fail(
      `guardrail.id must be a guardrail id (lower-case letters and digits) or its ARN (got ${JSON.stringify(guardrail.id)}).`,
    );
  }
  if (guardrail.version === undefined || guardrail.version === '') {
    fail(
      `guardrail.version is missing: Bedrock needs the id and a version together; pass version: 'DRAFT' or a published version such as '1'.`,
    );
  }
  if (typeof guardrail.version !== 'string' || !GUARDRAIL_VERSION.test(guardrail.version)) {
    fail(
      `guardrail.version must be 'DRAFT' or a version number as a string such as '1' (got ${JSON.stringify(guardrail.version)}).`,
    );
  }
  const mode = guardrail.streamProcessingMode;
  if (mode !== undefined && mode !== 'sync' && mode !== 'async') {
    fail(`guardrail.streamProcessingMode must be 'sync' or 'async' (got ${JSON.stringify(mode)}).`);
  }
}

function checkCachePoints(request: InferenceRequest): void {
  const { cachePoints } = request;
  if (cachePoints === undefined) return;
  if (cachePoints.system === true && (request.system === undefined || request.system === '')) {
    fail('cachePoints.system is set but there is no `system` prompt to cache: pass one, or drop cachePoints.system.');
  }
  if (cachePoints.tools === true && (request.tools === undefined || request.tools.length === 0)) {
    fail('cachePoints.tools is set but there are no `tools` to cache: pass them, or drop cachePoints.tools.');
  }
}

function checkServiceOptions(request: InferenceRequest): void {
  const latency = request.performanceConfig?.latency;
  if (request.performanceConfig !== undefined && latency !== 'standard' && latency !== 'optimized') {
    fail(`performanceConfig.latency must be 'standard' or 'optimized' (got ${JSON.stringify(latency)}).`);
  }
  const tier = request.serviceTier;
  if (tier !== undefined && tier !== 'default' && tier !== 'priority' && tier !== 'flex') {
    fail(`serviceTier must be 'default', 'priority' or 'flex' (got ${JSON.stringify(tier)}).`);
  }
  const metadata = request.requestMetadata;
  if (metadata === undefined) return;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    fail('`requestMetadata` must be an object of string keys and string values.');
  }
  const entries = Object.entries(metadata);
  if (entries.length > 16) fail(`requestMetadata has ${entries.length} entries; Bedrock takes at most 16.`);
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 256 || typeof value !== 'string' || value.length > 256) {
      fail(`requestMetadata.${key}: keys must be 1-256 characters and values strings of at most 256 characters.`);
    }
  }
}

/** Checks the options and copies the given ones into `normalized`. */
export function applyRequestOptions(request: InferenceRequest, normalized: NormalizedRequest): void {
  checkMediaParts(normalized.messages as readonly ChatMessage[]);
  checkGuardrail(request);
  checkCachePoints(request);
  checkServiceOptions(request);
  if (request.guardrail !== undefined) normalized.guardrail = request.guardrail;
  if (request.cachePoints !== undefined) normalized.cachePoints = request.cachePoints;
  if (request.performanceConfig !== undefined) normalized.performanceConfig = request.performanceConfig;
  if (request.serviceTier !== undefined) normalized.serviceTier = request.serviceTier;
  if (request.requestMetadata !== undefined) normalized.requestMetadata = request.requestMetadata;
}
