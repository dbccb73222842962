/**
 * Sampling ranges Bedrock enforces per model family, checked before any upstream call so a caller gets
 * a 400 naming the field instead of Bedrock's field-less ValidationException (and no spent request).
 * Only ranges Bedrock documents are listed; a family not matched here is left to Bedrock.
 */
import { badRequest } from './http-error.js';

interface Range {
  min: number;
  max: number;
}

interface FamilyRanges {
  name: string;
  temperature?: Range;
  topP?: Range;
  topK?: Range;
}

const UNIT: Range = { min: 0, max: 1 };

/** Matched against `<provider>.<model>` (geo prefix and ARN stripped); the first match wins. */
const TABLE: [RegExp, FamilyRanges][] = [
  [/^anthropic\.claude/, { name: 'Claude', temperature: UNIT, topP: UNIT, topK: { min: 0, max: 500 } }],
  [/^amazon\.titan-text/, { name: 'Titan Text', temperature: UNIT, topP: UNIT }],
  [/^amazon\.nova/, { name: 'Nova', temperature: UNIT, topP: UNIT, topK: { min: 0, max: 128 } }],
  [/^meta\.llama/, { name: 'Llama', temperature: UNIT, topP: UNIT }],
  [/^mistral\.(mistral-large-2407|pixtral)/, { name: 'Mistral chat', temperature: UNIT, topP: UNIT }],
  [/^mistral\./, { name: 'Mistral', temperature: UNIT, topP: UNIT, topK: { min: 0, max: 200 } }],
  [
    /^cohere\.command-r/,
    { name: 'Cohere Command R', temperature: UNIT, topP: { min: 0.01, max: 0.99 }, topK: { min: 0, max: 500 } },
  ],
  [/^cohere\.command/, { name: 'Cohere Command', temperature: { min: 0, max: 5 }, topK: { min: 0, max: 500 } }],
  [/^ai21\.jamba/, { name: 'Jamba', temperature: { min: 0, max: 2 }, topP: UNIT }],
  [/^deepseek\./, { name: 'DeepSeek', temperature: UNIT, topP: UNIT }],
  [/^openai\./, { name: 'gpt-oss', temperature: { min: 0, max: 2 }, topP: UNIT }],
];

/** Converse normalises sampling: temperature and topP are 0..1 whatever the model. */
const CONVERSE: FamilyRanges = { name: 'Converse', temperature: UNIT, topP: UNIT };

/** `<provider>.<model>` from a model id, profile id (`us.`, `global.`...) or ARN. */
export function baseModelId(modelId: string): string {
  let id = modelId;
  if (id.startsWith('arn:')) id = id.slice(id.indexOf('/') + 1);
  const parts = id.split('.');
  // A geo prefix is a third dotted part in front: `us.anthropic.claude...`.
  if (
    parts.length >= 3 &&
    /^[a-z]{2,7}$/.test(parts[0]!) &&
    !/^(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai)$/.test(parts[0]!)
  ) {
    return parts.slice(1).join('.');
  }
  return id;
}

export interface SamplingFields {
  temperature?: number | undefined;
  topP?: number | undefined;
  topK?: number | undefined;
  api?: 'invoke' | 'converse' | undefined;
}

/** Throws a 400 naming the field and the model's range when a sampling value is outside it. */
export function checkFamilyRanges(modelId: string, fields: SamplingFields): void {
  const base = baseModelId(modelId);
  const family = TABLE.find(([pattern]) => pattern.test(base))?.[1];
  if (family === undefined) return;
  const ranges = fields.api === 'converse' ? { ...family, ...CONVERSE, name: `${family.name} (Converse)` } : family;
  for (const field of ['temperature', 'topP', 'topK'] as const) {
    const value = fields[field];
    const range = ranges[field];
    if (value === undefined || range === undefined) continue;
    if (value < range.min || value > range.max) {
      throw badRequest(
        field,
        `Invalid "${field}": ${value} is outside ${ranges.name}'s range ${range.min} to ${range.max}.`,
        `Pass "${field}" from ${range.min} to ${range.max} for ${modelId}.`,
      );
    }
  }
}
