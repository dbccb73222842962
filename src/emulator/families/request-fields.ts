/**
 * Request-body checks worded the way Bedrock's JSON-schema validation words them
 * ("#: required key [x] not found", "#/x: 2 is not less or equal to 1", ...), raised as malformedInput.
 */
import { malformedInput } from '../bedrock-error.js';

export type JsonObject = Record<string, unknown>;

export interface NumberLimits {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** The JSON type name as the schema validator prints it. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'Null';
  if (Array.isArray(value)) return 'JSONArray';
  if (typeof value === 'string') return 'String';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Number';
  return 'JSONObject';
}

export function expectObject(value: unknown, path = '#'): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformedInput(`${path}: expected type: JSONObject, found: ${jsonTypeName(value)}`);
  }
  return value as JsonObject;
}

export function allowKeys(body: JsonObject, allowed: ReadonlySet<string>, path = '#'): void {
  for (const key in body) {
    if (!allowed.has(key)) throw malformedInput(`${path}: extraneous key [${key}] is not permitted`);
  }
}

export function requireKeys(body: JsonObject, keys: readonly string[], path = '#'): void {
  for (const key of keys) {
    if (body[key] === undefined) throw malformedInput(`${path}: required key [${key}] not found`);
  }
}

export function readNumber(body: JsonObject, key: string, limits: NumberLimits = {}, path = '#'): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  const at = `${path}/${key}`;
  if (typeof value !== 'number' || (limits.integer && !Number.isInteger(value))) {
    throw malformedInput(
      `${at}: expected type: ${limits.integer ? 'Integer' : 'Number'}, found: ${jsonTypeName(value)}`,
    );
  }
  if (limits.min !== undefined && value < limits.min) {
    throw malformedInput(`${at}: ${value} is not greater or equal to ${limits.min}`);
  }
  if (limits.max !== undefined && value > limits.max) {
    throw malformedInput(`${at}: ${value} is not less or equal to ${limits.max}`);
  }
  return value;
}

export function readString(body: JsonObject, key: string, path = '#'): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw malformedInput(`${path}/${key}: expected type: String, found: ${jsonTypeName(value)}`);
  }
  return value;
}

export function readEnum<T extends string>(
  body: JsonObject,
  key: string,
  values: readonly T[],
  path = '#',
): T | undefined {
  const value = readString(body, key, path);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw malformedInput(`${path}/${key}: ${value} is not a valid enum value`);
  }
  return value as T;
}

export function readArray(body: JsonObject, key: string, path = '#'): unknown[] | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    throw malformedInput(`${path}/${key}: expected type: JSONArray, found: ${jsonTypeName(value)}`);
  }
  return value;
}

/** A list of strings; `maxItems` as the schema states it. A bare string is accepted where `allowString`. */
export function readStringList(
  body: JsonObject,
  key: string,
  options: { maxItems?: number; allowString?: boolean } = {},
  path = '#',
): string[] | undefined {
  const raw = body[key];
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && options.allowString) return [raw];
  const list = readArray(body, key, path)!;
  if (options.maxItems !== undefined && list.length > options.maxItems) {
    throw malformedInput(`${path}/${key}: expected maximum item count: ${options.maxItems}, found: ${list.length}`);
  }
  list.forEach((item, i) => {
    if (typeof item !== 'string') {
      throw malformedInput(`${path}/${key}/${i}: expected type: String, found: ${jsonTypeName(item)}`);
    }
  });
  return list as string[];
}
