/** One model per family, as the tests stream them against the emulator. */
import type { ModelFamily } from '../../src/models/types.js';

export const FAMILY_MODELS: readonly [ModelFamily, string][] = [
  ['anthropic', 'anthropic.claude-3-haiku-20240307-v1:0'],
  ['anthropic-text', 'anthropic.claude-v2'],
  ['titan', 'amazon.titan-text-express-v1'],
  ['nova', 'us.amazon.nova-lite-v1:0'],
  ['llama', 'meta.llama3-8b-instruct-v1:0'],
  ['mistral', 'mistral.mistral-7b-instruct-v0:2'],
  ['mistral-chat', 'mistral.mistral-large-2407-v1:0'],
  ['cohere', 'cohere.command-r-v1:0'],
  ['cohere-command', 'cohere.command-text-v14'],
  ['ai21', 'ai21.jamba-1-5-mini-v1:0'],
  ['deepseek', 'us.deepseek.r1-v1:0'],
  ['openai', 'openai.gpt-oss-20b-1:0'],
];
