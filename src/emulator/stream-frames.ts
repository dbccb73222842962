/**
 * Turns a family's chunk objects (InvokeModelWithResponseStream) or Converse events (ConverseStream)
 * into event-stream frames, with Bedrock's `p` padding on every event.
 */
import { encodeChunkEvent, encodeConverseEvent, encodeExceptionEvent, padding } from './event-stream/encoder.js';
import type { ConverseEvent, GenerationEnd, StreamChunkWriter } from './families/types.js';
import type { Pacer } from './timing.js';
import type { ToolCallRef } from './tools/tool-types.js';

export interface FrameWriter {
  start(): Buffer[];
  reasoning(delta: string, tokens: number): Buffer[];
  text(delta: string, tokens: number): Buffer[];
  toolUse(call: ToolCallRef, fragment: string): Buffer[];
  finish(end: GenerationEnd): Buffer[];
}

export interface ConverseStreamWriter {
  start(): ConverseEvent[];
  reasoning(delta: string, tokens: number): ConverseEvent[];
  text(delta: string, tokens: number): ConverseEvent[];
  toolUse(call: ToolCallRef, fragment: string): ConverseEvent[];
  finish(end: GenerationEnd): ConverseEvent[];
}

/** Padding lengths vary per event like real traffic; derived from the pacer's seeded sequence. */
function padLength(pacer: Pacer, counter: number): number {
  return 1 + ((counter * 7 + pacer.nextChunkSize() * 13) % 60);
}

/** Fields Bedrock adds to the closing chunk / Converse metadata (guardrail verdict, trace, service options). */
export type FinishExtras = (end: GenerationEnd) => Record<string, unknown> | undefined;

export function invokeFrameWriter(writer: StreamChunkWriter, pacer: Pacer, extras?: FinishExtras): FrameWriter {
  let counter = 0;
  const encode = (chunks: object[]): Buffer[] => {
    const frames = new Array<Buffer>(chunks.length);
    for (let i = 0; i < chunks.length; i++) {
      frames[i] = encodeChunkEvent(JSON.stringify(chunks[i]), padding(padLength(pacer, counter++)));
    }
    return frames;
  };
  return {
    start: () => encode(writer.start()),
    reasoning: (delta, tokens) => encode(writer.reasoning(delta, tokens)),
    text: (delta, tokens) => encode(writer.text(delta, tokens)),
    toolUse: (call, fragment) => {
      // Parsers reject tools for families without a tool writer, so this never fires in practice.
      if (writer.toolUse === undefined) throw new Error('this family cannot stream tool calls');
      return encode(writer.toolUse(call, fragment));
    },
    finish: (end) => {
      const chunks = writer.finish(end);
      const fields = extras?.(end);
      if (fields !== undefined) Object.assign(chunks[chunks.length - 1]!, fields);
      return encode(chunks);
    },
  };
}

export function converseFrameWriter(writer: ConverseStreamWriter, pacer: Pacer, extras?: FinishExtras): FrameWriter {
  let counter = 0;
  const encode = (events: ConverseEvent[]): Buffer[] => {
    const frames = new Array<Buffer>(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      frames[i] = encodeConverseEvent(
        event.eventType,
        withPadding(JSON.stringify(event.payload), padLength(pacer, counter++)),
      );
    }
    return frames;
  };
  return {
    start: () => encode(writer.start()),
    reasoning: (delta, tokens) => encode(writer.reasoning(delta, tokens)),
    text: (delta, tokens) => encode(writer.text(delta, tokens)),
    toolUse: (call, fragment) => encode(writer.toolUse(call, fragment)),
    finish: (end) => {
      const events = writer.finish(end);
      const fields = extras?.(end);
      const metadata = events.find((event) => event.eventType === 'metadata');
      if (fields !== undefined && metadata !== undefined) Object.assign(metadata.payload, fields);
      return encode(events);
    },
  };
}

/** Adds `"p":"..."` to a JSON object's text without re-serialising it. */
function withPadding(json: string, length: number): string {
  const pad = padding(length);
  return json === '{}' ? `{"p":"${pad}"}` : `${json.slice(0, -1)},"p":"${pad}"}`;
}

/** Bedrock's default wording for mid-stream exceptions. */
const STREAM_EXCEPTION_MESSAGES: Record<string, string> = {
  internalServerException: 'The system encountered an unexpected error during processing. Try your request again.',
  modelStreamErrorException: 'The model stream encountered an error. Try your request again.',
  validationException: 'Input is too long for requested model.',
  throttlingException: 'Too many requests, please wait before trying again.',
  modelTimeoutException: 'Model has timed out in processing the request. Try your request again.',
  serviceUnavailableException: 'Bedrock is unable to process your request.',
};

export function exceptionFrame(exceptionType: string, message?: string, originalStatusCode?: number): Buffer {
  const body: Record<string, unknown> = { message: message ?? STREAM_EXCEPTION_MESSAGES[exceptionType] ?? 'Error' };
  if (exceptionType === 'modelStreamErrorException') {
    body['originalStatusCode'] = originalStatusCode ?? 500;
    body['originalMessage'] = body['message'];
  }
  return encodeExceptionEvent(exceptionType, JSON.stringify(body));
}
