/**
 * A request in prompt order (tools, system, messages) as prompt-cache segments, for each spelling of a
 * cache point: Converse / Nova `{cachePoint: {type: 'default'}}` blocks, Claude `cache_control:
 * {type: 'ephemeral'}` on a tool, system block or message block (the point follows that block).
 */
import { cachePointsOf, type CachePoint, type PromptSegment } from './prompt-cache.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function textOf(block: unknown): string {
  if (typeof block === 'string') return block;
  const item = record(block);
  if (item === undefined) return '';
  if (typeof item.text === 'string') return item.text;
  return JSON.stringify(item);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Whether any block of the request carries `key` (a cheap scan before any serialising). */
function anyBlockHas(body: Json, key: string, tools: unknown[]): boolean {
  const has = (block: unknown) => record(block)?.[key] !== undefined;
  if (tools.some(has) || list(body.system).some(has)) return true;
  return list(body.messages).some((message) => list(record(message)?.content).some(has));
}

/** Converse / Nova: undefined when the request has no cache point. */
export function converseCachePoints(body: Json): CachePoint[] | undefined {
  if (!anyBlockHas(body, 'cachePoint', list(record(body.toolConfig)?.tools))) return undefined;
  const segments: PromptSegment[] = [];
  const add = (block: unknown, role: string) => {
    if (record(block)?.cachePoint !== undefined) segments.push({ key: '', text: '', cachePoint: true });
    else segments.push({ key: `${role}:${JSON.stringify(block)}`, text: textOf(block), cachePoint: false });
  };
  for (const tool of list(record(body.toolConfig)?.tools)) add(tool, 'tool');
  for (const block of list(body.system)) add(block, 'system');
  for (const message of list(body.messages)) {
    const role = String(record(message)?.role);
    for (const block of list(record(message)?.content)) add(block, role);
  }
  return segments.some((segment) => segment.cachePoint) ? cachePointsOf(segments) : undefined;
}

/** Claude Messages: undefined when nothing carries `cache_control`. */
export function claudeCachePoints(body: Json): CachePoint[] | undefined {
  if (!anyBlockHas(body, 'cache_control', list(body.tools))) return undefined;
  const segments: PromptSegment[] = [];
  let marked = false;
  const add = (block: unknown, role: string) => {
    const item = record(block);
    const { cache_control: cacheControl, ...rest } = item ?? {};
    segments.push({ key: `${role}:${JSON.stringify(item ? rest : block)}`, text: textOf(block), cachePoint: false });
    if (cacheControl !== undefined) {
      marked = true;
      segments.push({ key: '', text: '', cachePoint: true });
    }
  };
  for (const tool of list(body.tools)) add(tool, 'tool');
  if (typeof body.system === 'string') add(body.system, 'system');
  else for (const block of list(body.system)) add(block, 'system');
  for (const message of list(body.messages)) {
    const role = String(record(message)?.role);
    const content = record(message)?.content;
    if (typeof content === 'string') add(content, role);
    else for (const block of list(content)) add(block, role);
  }
  return marked ? cachePointsOf(segments) : undefined;
}
