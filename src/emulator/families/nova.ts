/**
 * Amazon Nova (micro, lite, pro, premier, Nova 2 Lite), §4.3: the "messages-v1" body; each stream chunk
 * holds one Converse event key, the terminal `metadata` chunk carries the invocation metrics beside it.
 */
import { malformedInput } from '../bedrock-error.js';
import { generationRequest, transcript } from './chat-transcript.js';
import { converseSystem, converseTurns } from './converse-messages.js';
import { METRICS_KEY } from './invocation-metrics.js';
import { allowKeys, expectObject, readNumber, readStringList } from './request-fields.js';
import { readConverseToolConfig, readConverseToolResults } from '../tools/converse-tools.js';
import { checkMedia } from '../media.js';
import { converseMediaItems } from '../media-blocks.js';
import { converseCachePoints } from '../prompt-segments.js';
import { BedrockServiceError } from '../bedrock-error.js';
import type { FamilyHandler, GenerationEnd, WriterContext } from './types.js';

const ALLOWED = new Set(['schemaVersion', 'system', 'messages', 'inferenceConfig', 'toolConfig']);
const CONFIG_ALLOWED = new Set([
  'maxTokens',
  'max_new_tokens',
  'temperature',
  'topP',
  'top_p',
  'topK',
  'top_k',
  'stopSequences',
  'reasoningConfig',
]);

function reasoningSignature(context: WriterContext): string {
  return Buffer.from(`emulated-reasoning:${context.requestId}`).toString('base64');
}

export const nova: FamilyHandler = {
  family: 'nova',
  streaming: true,
  parseInvokeRequest(raw, context) {
    const body = expectObject(raw);
    allowKeys(body, ALLOWED);
    if (body.messages === undefined) throw malformedInput('#: required key [messages] not found');
    if (body.schemaVersion !== undefined && body.schemaVersion !== 'messages-v1') {
      throw malformedInput(`#/schemaVersion: ${String(body.schemaVersion)} is not a valid enum value`);
    }
    const config = body.inferenceConfig === undefined ? {} : expectObject(body.inferenceConfig, '#/inferenceConfig');
    const path = '#/inferenceConfig';
    allowKeys(config, CONFIG_ALLOWED, path);
    const limit = context.baseModelId.includes('nova-2') ? 65536 : 10000;
    const maxTokens =
      readNumber(config, 'maxTokens', { min: 1, max: limit, integer: true }, path) ??
      readNumber(config, 'max_new_tokens', { min: 1, max: limit, integer: true }, path);
    const temperature = readNumber(config, 'temperature', { min: 0, max: 1 }, path);
    const topP =
      readNumber(config, 'topP', { min: 0, max: 1 }, path) ?? readNumber(config, 'top_p', { min: 0, max: 1 }, path);
    const topK =
      readNumber(config, 'topK', { min: 0, max: 128, integer: true }, path) ??
      readNumber(config, 'top_k', { min: 0, max: 128, integer: true }, path);
    const stopSequences = readStringList(config, 'stopSequences', { maxItems: 4 }, path);
    const reasoningConfig = config.reasoningConfig as { type?: unknown } | undefined;
    const tools = readConverseToolConfig(body.toolConfig);
    const toolResults = readConverseToolResults(body.messages, tools);
    const media = converseMediaItems(body.messages);
    if (context.baseModelId.includes('nova-micro') && media.length > 0) {
      // Nova Micro is text-only.
      throw new BedrockServiceError(
        'ValidationException',
        `This model doesn't support the ${media[0]!.kind} field for user messages.`,
      );
    }
    const mediaTokens = media.length === 0 ? 0 : checkMedia(media);
    const { conversation, prefill, lastUserText } = transcript(
      converseSystem(body.system),
      converseTurns(body.messages),
    );
    return generationRequest({
      conversation,
      prefill,
      lastUserText,
      maxTokens: maxTokens ?? 5000,
      temperature: temperature ?? 0.7,
      topP: topP ?? 0.9,
      topK,
      stopSequences,
      reasoning: reasoningConfig?.type === 'enabled',
      tools,
      toolResults,
      mediaTokens,
      cachePoints: converseCachePoints(body),
    });
  },
  createStreamWriter(context) {
    let index = 0;
    let open: 'reasoning' | 'text' | 'tool' | undefined;
    let openCall = -1;
    const closeReasoning = (chunks: object[]): void => {
      chunks.push(
        {
          contentBlockDelta: {
            delta: { reasoningContent: { signature: reasoningSignature(context) } },
            contentBlockIndex: index,
          },
        },
        { contentBlockStop: { contentBlockIndex: index } },
      );
      index++;
      open = undefined;
    };
    return {
      start: () => [{ messageStart: { role: 'assistant' } }],
      reasoning(delta) {
        open = 'reasoning';
        return [{ contentBlockDelta: { delta: { reasoningContent: { text: delta } }, contentBlockIndex: index } }];
      },
      text(delta) {
        const chunk = { contentBlockDelta: { delta: { text: delta }, contentBlockIndex: index } };
        if (open === 'reasoning') {
          const chunks: object[] = [];
          closeReasoning(chunks);
          chunk.contentBlockDelta.contentBlockIndex = index;
          chunks.push(chunk);
          open = 'text';
          return chunks;
        }
        open = 'text';
        return [chunk];
      },
      toolUse(call, fragment) {
        const chunks: object[] = [];
        if (call.index !== openCall) {
          if (open === 'reasoning') closeReasoning(chunks);
          else if (open !== undefined) chunks.push({ contentBlockStop: { contentBlockIndex: index++ } });
          open = 'tool';
          openCall = call.index;
          chunks.push({
            contentBlockStart: {
              start: { toolUse: { toolUseId: call.id, name: call.name } },
              contentBlockIndex: index,
            },
          });
        }
        chunks.push({ contentBlockDelta: { delta: { toolUse: { input: fragment } }, contentBlockIndex: index } });
        return chunks;
      },
      finish(end: GenerationEnd) {
        const chunks: object[] = [];
        if (open === 'reasoning') closeReasoning(chunks);
        else if (open !== undefined) chunks.push({ contentBlockStop: { contentBlockIndex: index } });
        chunks.push(
          { messageStop: { stopReason: end.stopReason } },
          {
            metadata: {
              usage: {
                inputTokens: end.inputTokens,
                outputTokens: end.outputTokens,
                ...(end.cache === undefined
                  ? {}
                  : { cacheReadInputTokenCount: end.cache.read, cacheWriteInputTokenCount: end.cache.write }),
              },
              metrics: {},
              trace: {},
            },
            [METRICS_KEY]: end.metrics,
          },
        );
        return chunks;
      },
    };
  },
  invokeResponse(context, output) {
    const content: object[] = [];
    if (output.reasoning !== '') {
      content.push({
        reasoningContent: { reasoningText: { text: output.reasoning, signature: reasoningSignature(context) } },
      });
    }
    if (output.text !== '' || output.toolCalls.length === 0) content.push({ text: output.text });
    for (const call of output.toolCalls) {
      content.push({ toolUse: { toolUseId: call.id, name: call.name, input: call.input } });
    }
    const { inputTokens, outputTokens } = output.end;
    return {
      output: { message: { role: 'assistant', content } },
      stopReason: output.end.stopReason,
      usage: {
        inputTokens,
        outputTokens,
        totalTokens: inputTokens + outputTokens,
        cacheReadInputTokenCount: output.end.cache?.read ?? 0,
        cacheWriteInputTokenCount: output.end.cache?.write ?? 0,
      },
    };
  },
};
