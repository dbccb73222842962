/**
 * The models this server offers by default (GET /api/models, GET /v1/models): one or two per family,
 * each with how that family streams, so a page can set expectations (chunk size, reasoning). Servers
 * can pass their own list; any id the library understands is accepted in requests either way.
 */
import type { ModelFamily } from '../index.js';

export interface StreamingProfile {
  /** Typical tokens per streamed chunk on Bedrock. */
  tokensPerChunk: readonly [min: number, max: number];
  /** Whether the model streams its reasoning before the answer (as `reasoning` events). */
  reasoning: 'never' | 'on-request' | 'always';
  /** How the model's chunks look on the wire. */
  note: string;
}

export interface ServerModel {
  id: string;
  family: ModelFamily;
  name: string;
}

export const FAMILY_PROFILES: Readonly<Record<ModelFamily, StreamingProfile>> = {
  anthropic: { tokensPerChunk: [3, 8], reasoning: 'on-request', note: 'content_block_delta events, larger chunks' },
  'anthropic-text': { tokensPerChunk: [3, 8], reasoning: 'never', note: 'legacy completion chunks' },
  titan: { tokensPerChunk: [4, 10], reasoning: 'never', note: 'outputText chunks' },
  nova: { tokensPerChunk: [2, 6], reasoning: 'never', note: 'contentBlockDelta events' },
  llama: { tokensPerChunk: [1, 1], reasoning: 'never', note: 'one token per chunk, frequent' },
  mistral: { tokensPerChunk: [1, 2], reasoning: 'never', note: 'outputs[].text chunks' },
  'mistral-chat': { tokensPerChunk: [1, 2], reasoning: 'never', note: 'OpenAI-style choices[].delta chunks' },
  cohere: { tokensPerChunk: [1, 2], reasoning: 'never', note: 'text-generation events' },
  'cohere-command': { tokensPerChunk: [1, 3], reasoning: 'never', note: 'generations[].text chunks' },
  ai21: { tokensPerChunk: [1, 3], reasoning: 'never', note: 'OpenAI-style choices[].delta chunks' },
  deepseek: { tokensPerChunk: [1, 3], reasoning: 'always', note: 'reasoning inside <think> first, then the answer' },
  openai: { tokensPerChunk: [1, 4], reasoning: 'always', note: 'reasoning inside <reasoning> first, then the answer' },
};

export const DEFAULT_MODELS: readonly ServerModel[] = [
  { id: 'anthropic.claude-3-haiku-20240307-v1:0', family: 'anthropic', name: 'Claude 3 Haiku' },
  { id: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', family: 'anthropic', name: 'Claude 3.7 Sonnet' },
  { id: 'anthropic.claude-v2:1', family: 'anthropic-text', name: 'Claude 2.1' },
  { id: 'amazon.titan-text-express-v1', family: 'titan', name: 'Titan Text Express' },
  { id: 'us.amazon.nova-lite-v1:0', family: 'nova', name: 'Nova Lite' },
  { id: 'meta.llama3-8b-instruct-v1:0', family: 'llama', name: 'Llama 3 8B Instruct' },
  { id: 'mistral.mistral-7b-instruct-v0:2', family: 'mistral', name: 'Mistral 7B Instruct' },
  { id: 'mistral.mistral-large-2407-v1:0', family: 'mistral-chat', name: 'Mistral Large (24.07)' },
  { id: 'cohere.command-r-v1:0', family: 'cohere', name: 'Command R' },
  { id: 'cohere.command-text-v14', family: 'cohere-command', name: 'Command' },
  { id: 'ai21.jamba-1-5-mini-v1:0', family: 'ai21', name: 'Jamba 1.5 Mini' },
  { id: 'us.deepseek.r1-v1:0', family: 'deepseek', name: 'DeepSeek R1' },
  { id: 'openai.gpt-oss-20b-1:0', family: 'openai', name: 'gpt-oss 20B' },
];
