/**
 * Maps model ids, inference-profile ids and ARNs to the family adapter (bedrock-wire.md §7). Opaque ARNs
 * (application inference profiles, provisioned or imported models) name no family: the caller passes one.
 */
import { ValidationError } from '../errors.js';
import { ai21Adapter } from './ai21.js';
import { anthropicTextAdapter } from './anthropic-text.js';
import { anthropicAdapter } from './anthropic.js';
import { cohereCommandAdapter } from './cohere-command.js';
import { cohereAdapter } from './cohere.js';
import { deepseekAdapter } from './deepseek.js';
import { llamaAdapter } from './llama.js';
import { mistralChatAdapter } from './mistral-chat.js';
import { mistralAdapter } from './mistral.js';
import { novaAdapter } from './nova.js';
import { openaiAdapter } from './openai.js';
import { titanAdapter } from './titan.js';
import type { ModelAdapter, ModelFamily } from './types.js';

const ADAPTERS: Readonly<Record<ModelFamily, ModelAdapter>> = {
  anthropic: anthropicAdapter,
  'anthropic-text': anthropicTextAdapter,
  titan: titanAdapter,
  nova: novaAdapter,
  llama: llamaAdapter,
  mistral: mistralAdapter,
  'mistral-chat': mistralChatAdapter,
  cohere: cohereAdapter,
  'cohere-command': cohereCommandAdapter,
  ai21: ai21Adapter,
  deepseek: deepseekAdapter,
  openai: openaiAdapter,
};

const GEO_PREFIXES = new Set(['us', 'eu', 'apac', 'jp', 'au', 'us-gov', 'global', 'sa', 'amer', 'ca']);

/** ARN resource types whose id is a model or system profile id. */
const ID_BEARING_ARNS = new Set(['foundation-model', 'inference-profile']);

export function listSupportedFamilies(): ModelFamily[] {
  return Object.keys(ADAPTERS) as ModelFamily[];
}

/** `<provider>.<name>` → family, or undefined when the name is not a streaming text model we know. */
function familyOfBaseId(baseId: string): ModelFamily | undefined {
  const dot = baseId.indexOf('.');
  if (dot <= 0) return undefined;
  const provider = baseId.slice(0, dot);
  const name = baseId.slice(dot + 1);
  switch (provider) {
    case 'anthropic':
      return /^claude-(v2|instant)/.test(name) ? 'anthropic-text' : name.startsWith('claude') ? 'anthropic' : undefined;
    case 'amazon':
      if (name.startsWith('titan-text')) return 'titan';
      if (name.startsWith('nova') && !/^nova-(canvas|reel|sonic)/.test(name)) return 'nova';
      return undefined; // titan-embed, nova-canvas/reel/sonic: not text streams
    case 'meta':
      return name.startsWith('llama') ? 'llama' : undefined;
    case 'mistral':
      return /^(mistral-large-2407|pixtral)/.test(name) ? 'mistral-chat' : 'mistral';
    case 'cohere':
      if (name.startsWith('command-r')) return 'cohere';
      return /^command-(text|light)/.test(name) ? 'cohere-command' : undefined;
    case 'ai21':
      return name.startsWith('jamba') ? 'ai21' : undefined; // Jurassic-2 does not stream
    case 'deepseek':
      return 'deepseek';
    case 'openai':
      return 'openai';
    default:
      return undefined;
  }
}

/** The model or profile id a model identifier names, or undefined for opaque ARNs. */
function idOf(modelId: string): string | undefined {
  if (!modelId.startsWith('arn:')) return modelId;
  // arn:<partition>:bedrock:<region>:<account>:<resourceType>/<rest>
  const parts = modelId.split(':');
  if (parts[2] !== 'bedrock') return undefined; // SageMaker endpoints and the like
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  if (slash < 0) return undefined;
  const type = resource.slice(0, slash);
  const rest = resource.slice(slash + 1);
  if (ID_BEARING_ARNS.has(type)) return rest;
  // custom-model/<provider.model>/<id>: the base model is the middle part.
  if (type === 'custom-model') return rest.split('/')[0];
  return undefined;
}

/** The family a model identifier names, or undefined when it names none we know. */
export function detectFamily(modelId: string): ModelFamily | undefined {
  const id = idOf(modelId);
  if (id === undefined) return undefined;
  const firstDot = id.indexOf('.');
  const base = firstDot > 0 && GEO_PREFIXES.has(id.slice(0, firstDot)) ? id.slice(firstDot + 1) : id;
  return familyOfBaseId(base);
}

export function resolveAdapter(modelId: string, family?: ModelFamily): ModelAdapter {
  if (family !== undefined) {
    const adapter = Object.hasOwn(ADAPTERS, family) ? ADAPTERS[family] : undefined;
    if (adapter !== undefined) return adapter;
    throw new ValidationError(
      `Unknown model family "${String(family)}". Supported families: ${listSupportedFamilies().join(', ')}.`,
      { code: 'UnknownModelFamily' },
    );
  }
  const detected = detectFamily(modelId);
  if (detected !== undefined) return ADAPTERS[detected];
  const opaque = modelId.startsWith('arn:') && idOf(modelId) === undefined;
  throw new ValidationError(
    (opaque
      ? `The model ARN "${modelId}" does not say which model family it serves. Pass \`family\` (one of: `
      : `Cannot tell which model family "${modelId}" belongs to. Pass \`family\` (one of: `) +
      `${listSupportedFamilies().join(', ')}), or use \`api: 'converse'\`, which works for every model.`,
    { code: 'UnknownModelFamily' },
  );
}
