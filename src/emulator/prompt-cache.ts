/**
 * Prompt caching: requests mark cache points (Converse / Nova `cachePoint` blocks in tools, system and
 * messages; Claude `cache_control` on tools, system blocks and message blocks). Each point names the prefix
 * before it. Per model the emulator remembers prefixes for five minutes: a request whose longest cached
 * prefix matches reads it (`cache_read_input_tokens` / `cacheReadInputTokens`), and the rest up to its last
 * point is written (`cache_creation_input_tokens` / `cacheWriteInputTokens`). A prefix shorter than the
 * model's minimum is not cached (no error). Only requests with cache points reach this file.
 */
import { BedrockServiceError } from './bedrock-error.js';
import { countTokens } from './text/tokenizer.js';
import { hashString } from './text/seeded-random.js';

/** One piece of a request in prompt order; `cachePoint` marks the end of a cacheable prefix. */
export interface PromptSegment {
  /** The piece as sent (serialised), so a different prefix never matches. */
  key: string;
  /** Its text, for counting tokens. */
  text: string;
  cachePoint: boolean;
}

export interface CachePoint {
  key: string;
  tokens: number;
}

export interface CacheUsage {
  read: number;
  write: number;
}

const TTL_MS = 5 * 60 * 1000;

/** The prefixes the cache points mark, with their token counts. */
export function cachePointsOf(segments: readonly PromptSegment[]): CachePoint[] {
  const points: CachePoint[] = [];
  let key = '';
  let text = '';
  for (const segment of segments) {
    if (segment.cachePoint) {
      points.push({ key: `${hashString(key).toString(36)}:${key.length}`, tokens: countTokens(text) });
    } else {
      key += `${segment.key}\u0000`;
      text += segment.text;
    }
  }
  return points;
}

/** Bedrock's minimum tokens per cache checkpoint; undefined for models without prompt caching. */
export function minimumCacheTokens(baseModelId: string): number | undefined {
  if (/nova-(micro|lite|pro|premier)-v1/.test(baseModelId)) return 1000;
  if (/claude-3-5-haiku|claude-haiku-4-5/.test(baseModelId)) return 2048;
  if (/claude-3-7-sonnet|claude-(sonnet|opus)-4/.test(baseModelId)) return 1024;
  return undefined;
}

export class PromptCache {
  /** model → prefix key → expiry time. */
  private readonly entries = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  clear(): void {
    this.entries.clear();
  }

  /** Reads the longest cached prefix, writes the rest up to the last point, refreshes what it used. */
  use(baseModelId: string, points: readonly CachePoint[]): CacheUsage {
    const minimum = minimumCacheTokens(baseModelId);
    if (minimum === undefined) {
      throw new BedrockServiceError(
        'ValidationException',
        'You invoked an unsupported model or your request did not allow prompt caching. See the documentation for more information.',
      );
    }
    const now = this.now();
    let model = this.entries.get(baseModelId);
    if (model === undefined) {
      model = new Map();
      this.entries.set(baseModelId, model);
    }
    const cacheable = points.filter((point) => point.tokens >= minimum);
    let read = 0;
    for (const point of cacheable) {
      const expires = model.get(point.key);
      if (expires !== undefined && expires > now) read = Math.max(read, point.tokens);
    }
    const last = cacheable.reduce((most, point) => Math.max(most, point.tokens), 0);
    for (const point of cacheable) model.set(point.key, now + TTL_MS);
    return { read, write: Math.max(0, last - read) };
  }
}
