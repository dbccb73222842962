/**
 * CountTokens: `{input: {invokeModel: {body}}}` or `{input: {converse: {messages, system}}}` → `{inputTokens}`,
 * counted exactly as InvokeModel / Converse would report them. The SDK sends the invokeModel body (a blob)
 * base64-encoded inside the JSON; curl users may send the JSON text or object itself.
 */
import { BedrockServiceError } from './bedrock-error.js';
import { parseConverseRequest } from './converse.js';
import type { ResolvedModel } from './model-catalog.js';

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The InvokeModel body: base64 of the JSON (what the SDK sends), the JSON text, or an object. */
function decodeBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) return parseJson(trimmed);
  return parseJson(Buffer.from(body, 'base64').toString('utf8'));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('The provided request is not valid JSON.');
  }
}

export function countTokensRequest(body: unknown, model: ResolvedModel): { inputTokens: number } {
  const input = record(record(body)?.input);
  if (!input) {
    throw invalid(
      "1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null",
    );
  }
  const invoke = record(input.invokeModel);
  if (invoke) {
    if (invoke.body === undefined) {
      throw invalid(
        "1 validation error detected: Value null at 'input.invokeModel.body' failed to satisfy constraint: Member must not be null",
      );
    }
    const request = model.handler.parseInvokeRequest(decodeBody(invoke.body), { baseModelId: model.baseModelId });
    return { inputTokens: request.inputTokens };
  }
  const converse = record(input.converse);
  if (converse) return { inputTokens: parseConverseRequest(converse, model).inputTokens };
  throw invalid('The input must contain exactly one of invokeModel or converse.');
}
