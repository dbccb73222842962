/**
 * A small value that validates against a tool's JSON schema, chosen deterministically from a seed, so the
 * same request always gets the same arguments. Covers what tool schemas use: object (properties, required),
 * string (enum, format date, min/maxLength), number/integer (minimum/maximum), boolean, array (items,
 * minItems), const, anyOf/oneOf (the first branch) and type lists (the first type).
 */
import { mulberry32 } from '../text/seeded-random.js';

type Schema = Record<string, unknown>;

const WORDS = ['alpha', 'delta', 'paris', 'berlin', 'orange', 'river', 'summit', 'harbor', 'maple', 'cobalt'];

export function valueForSchema(schema: unknown, seed: number): unknown {
  const random = mulberry32(seed);
  return generate(asSchema(schema), random, 0);
}

function asSchema(value: unknown): Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Schema) : {};
}

function generate(schema: Schema, random: () => number, depth: number): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return schema.enum[Math.floor(random() * schema.enum.length)];
  }
  const branches = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(branches) && branches.length > 0) return generate(asSchema(branches[0]), random, depth);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringValue(schema, random);
    case 'integer':
      return integerValue(schema, random);
    case 'number':
      return Math.round(numberBetween(schema, random) * 100) / 100;
    case 'boolean':
      return random() < 0.5;
    case 'null':
      return null;
    case 'array':
      return arrayValue(schema, random, depth);
    case 'object':
      return objectValue(schema, random, depth);
    default:
      return schema.properties !== undefined ? objectValue(schema, random, depth) : stringValue(schema, random);
  }
}

function stringValue(schema: Schema, random: () => number): string {
  if (schema.format === 'date') return `2024-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
  let text = WORDS[Math.floor(random() * WORDS.length)]!;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  while (text.length < min) text += 'x';
  return text.slice(0, max);
}

function numberBetween(schema: Schema, random: () => number): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
  const max = typeof schema.maximum === 'number' ? schema.maximum : min + 100;
  return min + random() * (max - min);
}

function integerValue(schema: Schema, random: () => number): number {
  const min = typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 0;
  const max = typeof schema.maximum === 'number' ? Math.floor(schema.maximum) : min + 100;
  return min + Math.floor(random() * (max - min + 1));
}

function arrayValue(schema: Schema, random: () => number, depth: number): unknown[] {
  const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 2);
  const count = depth > 3 ? min : Math.min(max, Math.max(min, 1 + Math.floor(random() * 2)));
  return Array.from({ length: count }, () => generate(asSchema(schema.items), random, depth + 1));
}

function objectValue(schema: Schema, random: () => number, depth: number): Record<string, unknown> {
  const properties = asSchema(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const value: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    // Required properties always, optional ones when shallow (keeps values small).
    if (required.has(key) || depth < 1) value[key] = generate(asSchema(property), random, depth + 1);
  }
  return value;
}
