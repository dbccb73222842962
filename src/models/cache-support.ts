/**
 * Which native request formats can mark prompt-cache points (bedrock-wire.md §4): Claude's Messages body
 * (`cache_control`) and Nova's messages-v1 body (`cachePoint` blocks). Bedrock refuses cache points for
 * models without prompt caching (a ValidationException), and the other native formats have no way to say
 * them at all, so a cache point there fails before the call with the fix instead of being dropped.
 */
import { ValidationError } from '../errors.js';
import type { ModelFamily, NormalizedRequest } from './types.js';

const CACHING_FAMILIES: ReadonlySet<ModelFamily> = new Set(['anthropic', 'nova']);

function hasCachePoint(request: NormalizedRequest): boolean {
  if (request.cachePoints?.system === true || request.cachePoints?.tools === true) return true;
  return request.messages.some(
    (message) => typeof message.content !== 'string' && message.content.some((part) => part.type === 'cache-point'),
  );
}

/** Refuses cache points a family's native format cannot carry, naming the fix. */
export function checkNativeCachePoints(family: ModelFamily, request: NormalizedRequest): void {
  if (CACHING_FAMILIES.has(family) || !hasCachePoint(request)) return;
  throw new ValidationError(
    `The ${family} format has no prompt caching, and the request has cache points: remove them (cache-point parts ` +
      'and cachePoints), or send it to a model with prompt caching (Claude 3.5 Haiku, 3.7 Sonnet, Claude 4, Nova).',
  );
}
