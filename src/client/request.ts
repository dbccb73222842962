/**
 * Turns the caller's InferenceRequest into the library's NormalizedRequest, validating once up front
 * so mistakes fail fast with a message that names the field and the fix (never on the hot path).
 */
import { ValidationError } from '../errors.js';
import type { ChatMessage, ModelFamily, NormalizedRequest } from '../models/types.js';
import { estimateInputTokens as estimateFamilyInputTokens } from '../quota/estimate.js';
import { applyRequestOptions, checkContentParts } from './request-options.js';
import { applyToolOptions } from './tool-request.js';
import type { InferenceRequest } from './types.js';

/** Bedrock requires a token limit for several families; this is the one we send when none is given. */
export const DEFAULT_MAX_TOKENS = 1024;

function fail(message: string): never {
  throw new ValidationError(message);
}

function checkNumber(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(`${name} must be a number from ${min} to ${max} (got ${String(value)}).`);
  }
}

function checkPositiveInteger(name: string, value: number | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    fail(`${name} must be a positive whole number of tokens (got ${String(value)}).`);
  }
}

function toMessages(request: InferenceRequest): readonly ChatMessage[] {
  const { prompt, messages } = request;
  if (prompt !== undefined && messages !== undefined) {
    fail('Pass either `prompt` or `messages`, not both: put the prompt in the last user message.');
  }
  if (prompt !== undefined) {
    if (typeof prompt !== 'string' || prompt.trim() === '') {
      fail('`prompt` is empty: pass the text you want the model to answer.');
    }
    return [{ role: 'user', content: prompt }];
  }
  if (messages === undefined) fail('Pass `prompt` (a string) or `messages` (an array of chat turns).');
  if (!Array.isArray(messages) || messages.length === 0) {
    fail('`messages` is empty: pass at least one { role: "user", content } turn.');
  }
  messages.forEach((message: ChatMessage, index: number) => {
    if (message?.role !== 'user' && message?.role !== 'assistant') {
      fail(`messages[${index}].role must be "user" or "assistant" (got ${JSON.stringify(message?.role)}).`);
    }
    if (Array.isArray(message.content)) checkContentParts(message.content, index);
    else if (typeof message.content !== 'string' || message.content === '') {
      fail(`messages[${index}].content must be a non-empty string or an array of content parts.`);
    }
  });
  if (messages[0]?.role !== 'user') fail('messages[0] must be a user turn: Bedrock conversations start with the user.');
  return messages;
}

/** Validates and normalises a request; throws ValidationError naming the field and the fix. */
export function normalizeRequest(request: InferenceRequest): NormalizedRequest {
  if (typeof request !== 'object' || request === null) fail('The request must be an object such as { prompt }.');
  const messages = toMessages(request);
  checkPositiveInteger('maxTokens', request.maxTokens);
  checkNumber('temperature', request.temperature, 0, 2);
  checkNumber('topP', request.topP, 0, 1);
  checkPositiveInteger('topK', request.topK);
  if (request.system !== undefined && typeof request.system !== 'string') fail('`system` must be a string.');
  if (request.stopSequences !== undefined) {
    if (!Array.isArray(request.stopSequences) || request.stopSequences.some((s) => typeof s !== 'string' || s === '')) {
      fail('`stopSequences` must be an array of non-empty strings.');
    }
  }
  if (request.reasoning !== undefined) checkPositiveInteger('reasoning.budgetTokens', request.reasoning.budgetTokens);
  if (request.api !== undefined && request.api !== 'invoke' && request.api !== 'converse') {
    fail(`api must be "invoke" or "converse" (got ${JSON.stringify(request.api)}).`);
  }
  const normalized: NormalizedRequest = { messages, maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS };
  if (request.system !== undefined && request.system !== '') normalized.system = request.system;
  if (request.temperature !== undefined) normalized.temperature = request.temperature;
  if (request.topP !== undefined) normalized.topP = request.topP;
  if (request.topK !== undefined) normalized.topK = request.topK;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) {
    normalized.stopSequences = request.stopSequences;
  }
  if (request.reasoning !== undefined) normalized.reasoning = request.reasoning;
  if (request.additionalFields !== undefined) normalized.additionalFields = request.additionalFields;
  applyRequestOptions(request, normalized);
  applyToolOptions(request, normalized);
  return normalized;
}

/** The model for this call: the request's own, else the client's default. */
export function resolveModelId(request: InferenceRequest, defaultModelId: string | undefined): string {
  const modelId = request.modelId ?? defaultModelId;
  if (typeof modelId !== 'string' || modelId.trim() === '') {
    fail(
      'No modelId: pass `modelId` in the client options or in the request (e.g. "anthropic.claude-3-haiku-20240307-v1:0").',
    );
  }
  return modelId;
}

/** A rough input-token estimate (about four characters per token) for quota reservations. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The quota reservation's input estimate, with the family's template overhead (src/quota/estimate.ts). */
export function estimateInputTokens(request: NormalizedRequest, family?: ModelFamily): number {
  return estimateFamilyInputTokens(family, request);
}
