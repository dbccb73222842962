/**
 * Which models the emulator serves and how a caller's model identifier resolves to one: base ids,
 * cross-Region inference-profile ids (`us.`, `eu.`, `global.` …) and foundation-model / inference-profile
 * ARNs (bedrock-wire.md §7). Errors use Bedrock's wording.
 */
import { BedrockServiceError } from './bedrock-error.js';
import { ai21Jamba } from './families/ai21-jamba.js';
import { ai21Jurassic } from './families/ai21-jurassic.js';
import { anthropicMessages } from './families/anthropic-messages.js';
import { anthropicText } from './families/anthropic-text.js';
import { cohereCommand } from './families/cohere-command.js';
import { cohereR } from './families/cohere-r.js';
import { deepseekR1 } from './families/deepseek-r1.js';
import { llama } from './families/llama.js';
import { mistralChat } from './families/mistral-chat.js';
import { mistralText } from './families/mistral-text.js';
import { nova } from './families/nova.js';
import { openAiGptOss } from './families/openai-gpt-oss.js';
import { titanText } from './families/titan-text.js';
import type { EmulatorFamily, FamilyHandler } from './families/types.js';

export interface ResolvedModel {
  /** The identifier as the caller sent it (decoded). */
  modelId: string;
  baseModelId: string;
  family: EmulatorFamily;
  handler: FamilyHandler;
  viaProfile: boolean;
}

export interface CatalogEntry {
  modelId: string;
  family: EmulatorFamily;
  streaming: boolean;
  requiresProfile: boolean;
}

/** On-demand (bare id works) or profile-only; `legacy` models have no inference profiles at all. */
type Access = 'on-demand' | 'profile-only' | 'legacy';

export const GEO_PREFIXES: readonly string[] = ['us', 'eu', 'apac', 'jp', 'au', 'ca', 'us-gov', 'global', 'sa', 'amer'];

const HANDLERS: Record<EmulatorFamily, FamilyHandler> = {
  'anthropic-messages': anthropicMessages,
  'anthropic-text': anthropicText,
  'titan-text': titanText,
  nova,
  llama,
  'mistral-text': mistralText,
  'mistral-chat': mistralChat,
  'cohere-r': cohereR,
  'cohere-command': cohereCommand,
  'ai21-jamba': ai21Jamba,
  'deepseek-r1': deepseekR1,
  'openai-gpt-oss': openAiGptOss,
};

const MODELS: readonly [string, EmulatorFamily, Access][] = [
  ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic-messages', 'on-demand'],
  ['anthropic.claude-3-sonnet-20240229-v1:0', 'anthropic-messages', 'on-demand'],
  ['anthropic.claude-3-opus-20240229-v1:0', 'anthropic-messages', 'on-demand'],
  ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic-messages', 'on-demand'],
  ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic-messages', 'on-demand'],
  ['anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic-messages', 'on-demand'],
  ['anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-opus-4-20250514-v1:0', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-opus-4-1-20250805-v1:0', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-opus-4-5-20251101-v1:0', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-sonnet-4-6', 'anthropic-messages', 'profile-only'],
  ['anthropic.claude-v2', 'anthropic-text', 'legacy'],
  ['anthropic.claude-v2:1', 'anthropic-text', 'legacy'],
  ['anthropic.claude-instant-v1', 'anthropic-text', 'legacy'],
  ['amazon.titan-text-lite-v1', 'titan-text', 'legacy'],
  ['amazon.titan-text-express-v1', 'titan-text', 'legacy'],
  ['amazon.titan-text-premier-v1:0', 'titan-text', 'legacy'],
  ['amazon.nova-micro-v1:0', 'nova', 'profile-only'],
  ['amazon.nova-lite-v1:0', 'nova', 'profile-only'],
  ['amazon.nova-pro-v1:0', 'nova', 'profile-only'],
  ['amazon.nova-premier-v1:0', 'nova', 'profile-only'],
  ['amazon.nova-2-lite-v1:0', 'nova', 'profile-only'],
  ['meta.llama2-13b-chat-v1', 'llama', 'legacy'],
  ['meta.llama2-70b-chat-v1', 'llama', 'legacy'],
  ['meta.llama3-8b-instruct-v1:0', 'llama', 'on-demand'],
  ['meta.llama3-70b-instruct-v1:0', 'llama', 'on-demand'],
  ['meta.llama3-1-8b-instruct-v1:0', 'llama', 'on-demand'],
  ['meta.llama3-1-70b-instruct-v1:0', 'llama', 'on-demand'],
  ['meta.llama3-1-405b-instruct-v1:0', 'llama', 'on-demand'],
  ['meta.llama3-2-1b-instruct-v1:0', 'llama', 'profile-only'],
  ['meta.llama3-2-3b-instruct-v1:0', 'llama', 'profile-only'],
  ['meta.llama3-2-11b-instruct-v1:0', 'llama', 'profile-only'],
  ['meta.llama3-2-90b-instruct-v1:0', 'llama', 'profile-only'],
  ['meta.llama3-3-70b-instruct-v1:0', 'llama', 'profile-only'],
  ['meta.llama4-scout-17b-instruct-v1:0', 'llama', 'profile-only'],
  ['meta.llama4-maverick-17b-instruct-v1:0', 'llama', 'profile-only'],
  ['mistral.mistral-7b-instruct-v0:2', 'mistral-text', 'legacy'],
  ['mistral.mixtral-8x7b-instruct-v0:1', 'mistral-text', 'legacy'],
  ['mistral.mistral-large-2402-v1:0', 'mistral-text', 'legacy'],
  ['mistral.mistral-small-2402-v1:0', 'mistral-text', 'legacy'],
  ['mistral.mistral-large-2407-v1:0', 'mistral-chat', 'on-demand'],
  ['mistral.pixtral-large-2502-v1:0', 'mistral-chat', 'profile-only'],
  ['cohere.command-r-v1:0', 'cohere-r', 'on-demand'],
  ['cohere.command-r-plus-v1:0', 'cohere-r', 'on-demand'],
  ['cohere.command-text-v14', 'cohere-command', 'legacy'],
  ['cohere.command-light-text-v14', 'cohere-command', 'legacy'],
  ['ai21.jamba-1-5-mini-v1:0', 'ai21-jamba', 'on-demand'],
  ['ai21.jamba-1-5-large-v1:0', 'ai21-jamba', 'on-demand'],
  ['ai21.jamba-instruct-v1:0', 'ai21-jamba', 'legacy'],
  ['ai21.j2-mid-v1', 'ai21-jamba', 'legacy'],
  ['ai21.j2-ultra-v1', 'ai21-jamba', 'legacy'],
  ['deepseek.r1-v1:0', 'deepseek-r1', 'profile-only'],
  ['openai.gpt-oss-20b-1:0', 'openai-gpt-oss', 'on-demand'],
  ['openai.gpt-oss-120b-1:0', 'openai-gpt-oss', 'on-demand'],
];

interface Model {
  family: EmulatorFamily;
  access: Access;
  handler: FamilyHandler;
}

const CATALOG = new Map<string, Model>(
  MODELS.map(([id, family, access]) => [
    id,
    { family, access, handler: id.startsWith('ai21.j2-') ? ai21Jurassic : HANDLERS[family] },
  ]),
);

const INVALID_ID = 'The provided model identifier is invalid.';
const ARN = /^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:bedrock:[a-z0-9-]*:(\d{12})?:([a-z-]+)\/(.+)$/;
const OPAQUE_ARN_TYPES = new Set([
  'application-inference-profile',
  'provisioned-model',
  'custom-model',
  'custom-model-deployment',
  'imported-model',
  'prompt',
  'prompt-router',
  'default-prompt-router',
]);

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

/** Resolves a decoded model identifier; throws BedrockServiceError as Bedrock would answer. */
export function resolveModel(modelId: string): ResolvedModel {
  let id = modelId;
  let fromProfileArn = false;
  const arn = ARN.exec(modelId);
  if (modelId.startsWith('arn:')) {
    if (!arn) throw invalid(INVALID_ID);
    const [, , type, rest] = arn;
    if (type === 'inference-profile') fromProfileArn = true;
    else if (type !== 'foundation-model') {
      if (OPAQUE_ARN_TYPES.has(type!)) {
        throw new BedrockServiceError(
          'ResourceNotFoundException',
          `The emulator has no ${type} resources, so ${modelId} cannot be found. Use a model ID, an inference profile ID or their ARNs.`,
        );
      }
      throw invalid(INVALID_ID);
    }
    id = rest!;
  }

  const dot = id.indexOf('.');
  const prefix = dot > 0 ? id.slice(0, dot) : '';
  const viaProfile = GEO_PREFIXES.includes(prefix);
  const baseModelId = viaProfile ? id.slice(dot + 1) : id;
  // An inference-profile ARN must name a profile, a foundation-model ARN must not.
  if (fromProfileArn !== viaProfile && modelId.startsWith('arn:')) throw invalid(INVALID_ID);
  const model = CATALOG.get(baseModelId);
  if (!model) throw invalid(INVALID_ID);
  if (viaProfile && model.access === 'legacy') throw invalid(INVALID_ID);
  if (!viaProfile && model.access === 'profile-only') {
    throw invalid(
      `Invocation of model ID ${baseModelId} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`,
    );
  }
  return { modelId, baseModelId, family: model.family, handler: model.handler, viaProfile };
}

/** Every base model the emulator knows (profile ids are `<geo>.` + these, except for legacy models). */
export function listModels(): CatalogEntry[] {
  return MODELS.map(([modelId, family, access]) => ({
    modelId,
    family,
    streaming: CATALOG.get(modelId)!.handler.streaming,
    requiresProfile: access === 'profile-only',
  }));
}
