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
  WholeOutput,
  WriterContext,
} from './families/types.js';
import type { ResolvedModel } from './model-catalog.js';
import { checkMedia } from './media.js';
import { converseMediaItems } from './media-blocks.js';
import { converseCachePoints } from './prompt-segments.js';
import { readConverseToolConfig, readConverseToolResults } from './tools/converse-tools.js';
import type { ToolCallRef } from './tools/tool-types.js';

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
/** Families whose models take tools through Converse (Bedrock's supported-features table). */
const TOOL_FAMILIES = new Set<EmulatorFamily>([
  'anthropic-messages',
  'nova',
  'llama',
  'mistral-chat',
  'cohere-r',
  'ai21-jamba',
  'openai-gpt-oss',
]);
/** Families whose models read images through Converse (Nova Micro, Llama text models excepted below). */
const IMAGE_FAMILIES = new Set<EmulatorFamily>(['anthropic-messages', 'nova', 'llama', 'mistral-chat']);
/** Families whose models read documents through Converse. */
const DOCUMENT_FAMILIES = new Set<EmulatorFamily>([
  'anthropic-messages',
  'nova',
  'llama',
  'mistral-chat',
  'mistral-text',
  'cohere-r',
  'ai21-jamba',
]);

function readsImages(model: ResolvedModel): boolean {
  if (!IMAGE_FAMILIES.has(model.family)) return false;
  const id = model.baseModelId;
  if (id.includes('nova-micro')) return false;
  if (model.family === 'llama') return /llama3-2-(11b|90b)|llama4/.test(id);
  if (model.family === 'mistral-chat') return id.includes('pixtral');
  return true;
}

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
  const tools = readConverseToolConfig(input.toolConfig);
  if (tools !== undefined && !TOOL_FAMILIES.has(model.family)) {
    throw invalid("This model doesn't support tool use.");
  }
  const toolResults = readConverseToolResults(input.messages, tools);
  const media = converseMediaItems(input.messages);
  let mediaTokens = 0;
  if (media.length > 0) {
    for (const item of media) {
      const supported = item.kind === 'image' ? readsImages(model) : DOCUMENT_FAMILIES.has(model.family);
      if (!supported) throw invalid(`This model doesn't support the ${item.kind} field for user messages.`);
    }
    mediaTokens = checkMedia(media, 'The model returned the following errors: ');
  }
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
    tools,
    toolResults,
    mediaTokens,
    cachePoints: converseCachePoints(input),
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
  toolUse(call: ToolCallRef, fragment: string): ConverseEvent[];
  finish(end: GenerationEnd): ConverseEvent[];
} {
  let index = 0;
  let open: 'reasoning' | 'text' | 'tool' | undefined;
  let openCall = -1;
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
    toolUse(call, fragment) {
      const events: ConverseEvent[] = [];
      if (call.index !== openCall) {
        // A tool call is a block of its own, opened with contentBlockStart (text blocks get none).
        if (open === 'reasoning') closeReasoning(events);
        else if (open !== undefined) {
          events.push({ eventType: 'contentBlockStop', payload: { contentBlockIndex: index } });
          index++;
        }
        open = 'tool';
        openCall = call.index;
        events.push({
          eventType: 'contentBlockStart',
          payload: { contentBlockIndex: index, start: { toolUse: { toolUseId: call.id, name: call.name } } },
        });
      }
      events.push({
        eventType: 'contentBlockDelta',
        payload: { contentBlockIndex: index, delta: { toolUse: { input: fragment } } },
      });
      return events;
    },
    finish(end) {
      const events: ConverseEvent[] = [];
      if (open === 'reasoning') closeReasoning(events);
      else if (open !== undefined)
        events.push({ eventType: 'contentBlockStop', payload: { contentBlockIndex: index } });
      open = undefined;
      const stop: Record<string, unknown> = { stopReason: end.stopReason };
      const fields = responseFields(context, end);
      if (fields) stop.additionalModelResponseFields = fields;
      events.push(
        { eventType: 'messageStop', payload: stop },
        {
          eventType: 'metadata',
          payload: {
            usage: converseUsage(end),
            metrics: { latencyMs: end.metrics.invocationLatency },
          },
        },
      );
      return events;
    },
  };
}

/** Converse usage; cached tokens are counted apart from inputTokens and included in totalTokens. */
function converseUsage(end: GenerationEnd): Record<string, number> {
  const cached = end.cache === undefined ? 0 : end.cache.read + end.cache.write;
  const usage: Record<string, number> = {
    inputTokens: end.inputTokens,
    outputTokens: end.outputTokens,
    totalTokens: end.inputTokens + end.outputTokens + cached,
  };
  if (end.cache !== undefined) {
    usage.cacheReadInputTokens = end.cache.read;
    usage.cacheWriteInputTokens = end.cache.write;
  }
  return usage;
}

export function converseResponse(context: WriterContext, output: WholeOutput): object {
  const content: object[] = [];
  if (output.reasoning !== '') {
    content.push({ reasoningContent: { reasoningText: { text: output.reasoning, signature: signature(context) } } });
  }
  if (output.text !== '' || output.toolCalls.length === 0) content.push({ text: output.text });
  for (const call of output.toolCalls) {
    content.push({ toolUse: { toolUseId: call.id, name: call.name, input: call.input } });
  }
  const response: Record<string, unknown> = {
    output: { message: { role: 'assistant', content } },
    stopReason: output.end.stopReason,
    usage: converseUsage(output.end),
    metrics: { latencyMs: output.end.metrics.invocationLatency },
  };
  const fields = responseFields(context, output.end);
  if (fields) response.additionalModelResponseFields = fields;
  return response;
}
