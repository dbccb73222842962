/**
 * Converse and ConverseStream for every model (bedrock-wire.md §1.2, §5): parse and validate the Converse
 * body into a GenerationRequest, render the ConverseStream events, and the Converse JSON response.
 */
import { BedrockServiceError } from './bedrock-error.js';
import { generationRequest, transcript } from './families/chat-transcript.js';
import { thinkingPrefillError } from './families/anthropic-messages.js';
import { converseSystem, converseTurns } from './families/converse-messages.js';
import type {
  ConverseEvent,
  EmulatorFamily,
  GenerationEnd,
  GenerationRequest,
  WriterContext,
} from './families/types.js';
import type { ResolvedModel } from './model-catalog.js';

/** The default maxTokens and temperature of each family when inferenceConfig leaves them out. */
const DEFAULTS: Record<EmulatorFamily, [maxTokens: number, temperature: number]> = {
  'anthropic-messages': [4096, 1],
  'anthropic-text': [4096, 1],
  'titan-text': [512, 0.7],
  nova: [5000, 0.7],
  llama: [512, 0.5],
  'mistral-text': [512, 0.5],
  'mistral-chat': [8192, 0.7],
  'cohere-r': [4000, 0.3],
  'cohere-command': [4000, 0.9],
  'ai21-jamba': [4096, 1],
  'deepseek-r1': [8192, 0.6],
  'openai-gpt-oss': [4096, 1],
};
/** Families that always reason. */
const ALWAYS_REASONS = new Set<EmulatorFamily>(['deepseek-r1', 'openai-gpt-oss']);

function invalid(message: string): BedrockServiceError {
  return new BedrockServiceError('ValidationException', message);
}

/** Coral's wording for a member constraint ("1 validation error detected: Value '0' at '…' failed to …"). */
function constraint(value: unknown, path: string, rule: string): BedrockServiceError {
  return invalid(
    `1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${rule}`,
  );
}

function readBound(config: Record<string, unknown>, key: string, min: number, max?: number): number | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  const path = `inferenceConfig.${key}`;
  if (typeof value !== 'number' || Number.isNaN(value)) throw constraint(value, path, 'Member must be a number');
  if (value < min) throw constraint(value, path, `Member must have value greater than or equal to ${min}`);
  if (max !== undefined && value > max)
    throw constraint(value, path, `Member must have value less than or equal to ${max}`);
  return value;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Reasoning asked for through additionalModelRequestFields (Claude thinking, Nova 2 reasoningConfig). */
function readReasoning(model: ResolvedModel, extra: Record<string, unknown>, maxTokens: number): boolean {
  if (ALWAYS_REASONS.has(model.family)) return true;
  const nova = record(extra.reasoningConfig);
  if (nova.type === 'enabled') return true;
  const thinking = record(extra.thinking ?? extra.reasoning_config);
  if (thinking.type === 'adaptive') return true;
  if (thinking.type !== 'enabled') return false;
  const budget = thinking.budget_tokens;
  if (typeof budget !== 'number' || budget < 1024) {
    throw invalid(
      'The model returned the following errors: thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
    );
  }
  if (maxTokens <= budget) {
    throw invalid(
      'The model returned the following errors: `max_tokens` must be greater than `thinking.budget_tokens`',
    );
  }
  return true;
}

export function parseConverseRequest(body: unknown, model: ResolvedModel): GenerationRequest {
  const input = record(body);
  const turns = converseTurns(input.messages);
  const config = record(input.inferenceConfig);
  const [defaultMax, defaultTemperature] = DEFAULTS[model.family];
  const maxTokens = readBound(config, 'maxTokens', 1) ?? defaultMax;
  if (!Number.isInteger(maxTokens))
    throw constraint(maxTokens, 'inferenceConfig.maxTokens', 'Member must be an integer');
  const temperature = readBound(config, 'temperature', 0, 1);
  const topP = readBound(config, 'topP', 0, 1);
  const stops = config.stopSequences;
  if (stops !== undefined && (!Array.isArray(stops) || stops.some((s) => typeof s !== 'string' || s === ''))) {
    throw constraint(stops, 'inferenceConfig.stopSequences', 'Member must be a list of non-empty strings');
  }
  const extra = record(input.additionalModelRequestFields);
  const topK = typeof extra.top_k === 'number' ? extra.top_k : typeof extra.topK === 'number' ? extra.topK : undefined;
  const reasoning = readReasoning(model, extra, maxTokens);
  const { conversation, prefill, lastUserText } = transcript(converseSystem(input.system), turns);
  const claude = model.family === 'anthropic-messages';
  if (claude && prefill !== undefined && reasoning) {
    throw invalid(`The model returned the following errors: ${thinkingPrefillError(turns.length - 1)}`);
  }
  if (claude && prefill !== undefined && /\s$/.test(prefill)) {
    throw invalid(
      'The model returned the following errors: final assistant content cannot end with trailing whitespace',
    );
  }
  return generationRequest({
    conversation,
    prefill,
    lastUserText,
    maxTokens,
    temperature: temperature ?? defaultTemperature,
    topP,
    topK,
    stopSequences: stops as string[] | undefined,
    reasoning,
  });
}

function signature(context: WriterContext): string {
  return Buffer.from(`emulated-reasoning:${context.requestId}`).toString('base64');
}

/** Claude reports its stop sequence through additionalModelResponseFields (captured on real traffic). */
function responseFields(context: WriterContext, end: GenerationEnd): Record<string, unknown> | undefined {
  if (!context.baseModelId.startsWith('anthropic.')) return undefined;
  return { delta: { stop_sequence: end.stopSequence ?? null } };
}

export function createConverseStreamWriter(context: WriterContext): {
  start(): ConverseEvent[];
  reasoning(delta: string, tokens: number): ConverseEvent[];
  text(delta: string, tokens: number): ConverseEvent[];
  finish(end: GenerationEnd): ConverseEvent[];
} {
  let index = 0;
  let open: 'reasoning' | 'text' | undefined;
  const closeReasoning = (events: ConverseEvent[]): void => {
    events.push(
      {
        eventType: 'contentBlockDelta',
        payload: { contentBlockIndex: index, delta: { reasoningContent: { signature: signature(context) } } },
      },
      { eventType: 'contentBlockStop', payload: { contentBlockIndex: index } },
    );
    index++;
  };
  return {
    start: () => [{ eventType: 'messageStart', payload: { role: 'assistant' } }],
    reasoning(delta) {
      open = 'reasoning';
      return [
        {
          eventType: 'contentBlockDelta',
          payload: { contentBlockIndex: index, delta: { reasoningContent: { text: delta } } },
        },
      ];
    },
    text(delta) {
      const events: ConverseEvent[] = [];
      if (open === 'reasoning') closeReasoning(events);
      open = 'text';
      events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { text: delta } } });
      return events;
    },
    finish(end) {
      const events: ConverseEvent[] = [];
      if (open === 'reasoning') closeReasoning(events);
      else if (open === 'text') events.push({ eventType: 'contentBlockStop', payload: { contentBlockIndex: index } });
      open = undefined;
      const stop: Record<string, unknown> = { stopReason: end.stopReason };
      const fields = responseFields(context, end);
      if (fields) stop.additionalModelResponseFields = fields;
      events.push(
        { eventType: 'messageStop', payload: stop },
        {
          eventType: 'metadata',
          payload: {
            usage: {
              inputTokens: end.inputTokens,
              outputTokens: end.outputTokens,
              totalTokens: end.inputTokens + end.outputTokens,
            },
            metrics: { latencyMs: end.metrics.invocationLatency },
          },
        },
      );
      return events;
    },
  };
}

export function converseResponse(
  context: WriterContext,
  output: { reasoning: string; text: string; end: GenerationEnd },
): object {
  const content: object[] = [];
  if (output.reasoning !== '') {
    content.push({ reasoningContent: { reasoningText: { text: output.reasoning, signature: signature(context) } } });
  }
  content.push({ text: output.text });
  const { inputTokens, outputTokens } = output.end;
  const response: Record<string, unknown> = {
    output: { message: { role: 'assistant', content } },
    stopReason: output.end.stopReason,
    usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    metrics: { latencyMs: output.end.metrics.invocationLatency },
  };
  const fields = responseFields(context, output.end);
  if (fields) response.additionalModelResponseFields = fields;
  return response;
}
