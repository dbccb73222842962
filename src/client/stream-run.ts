/**
 * One streaming call as a pull-based async generator: the upstream body is read only when the
 * consumer asks for the next event. Attempts are retried before their first content chunk; after
 * content arrived a break is an interruption, resumed with a prefill when enabled. Per chunk: one
 * decode into a reused queue, state updates, and yielding the adapter's own event objects.
 */
import { AbortError, type BedrockInferenceError } from '../errors.js';
import type { ChunkEvent, StreamEvent } from './stream-event.js';
import type { ChunkEventSink } from '../models/types.js';
import type { EventStreamMessage } from './event-stream/decoder.js';
import { beginCall, finishCall, type CallContext, type CallResources } from './call-context.js';
import { classifyStreamException } from './classify-error.js';
import { createRechunker } from './chunking.js';
import { attemptError, endedEarly, interruptedError } from './failure.js';
import { continuationRequest, isResumable, type Stitcher } from './resume.js';
import { backoffDelay, finalRetryError, shouldRetry, sleep } from './retry.js';
import { AttemptWatchdog } from './timeouts.js';
import type { InferenceResult } from './types.js';
import { messageDecoder, openUpstream } from './upstream.js';

export async function* runStream(ctx: CallContext): AsyncGenerator<StreamEvent, InferenceResult, undefined> {
  const { state, scope, modelId } = ctx;
  const queue: ChunkEvent[] = [];
  const emit: ChunkEventSink = (event) => {
    queue.push(event);
  };
  const rechunker = createRechunker(ctx.chunking);
  let call: CallResources | undefined;
  let result: InferenceResult | undefined;
  let failure: BedrockInferenceError | undefined;
  let request = ctx.request;
  let stitcher: Stitcher | undefined;
  const errors: BedrockInferenceError[] = [];
  let phaseAttempts = 0;
  scope.start();
  try {
    call = await beginCall(ctx, true);
    for (;;) {
      state.attempts++;
      phaseAttempts++;
      const watchdog = new AttemptWatchdog(scope.signal, ctx.timeouts);
      const decode = messageDecoder(ctx.api, ctx.adapter, emit);
      let messages: AsyncGenerator<EventStreamMessage> | undefined;
      let content = false;
      let stopped = false;
      let finished = false;
      try {
        const response = await openUpstream(ctx, request, watchdog.signal);
        state.requestId = response.requestId ?? state.requestId;
        messages = response.messages;
        for (;;) {
          watchdog.waitStart();
          const step = await messages.next();
          watchdog.waitEnd();
          if (watchdog.signal.aborted) throw watchdog.signal.reason;
          if (step.done === true) break;
          const message = step.value;
          if (message.messageType !== 'event') {
            throw classifyStreamException(message, {
              modelId,
              partialText: state.text,
              requestId: state.requestId,
              phase: 'stream',
            });
          }
          decode(message);
          for (let i = 0; i < queue.length; i++) {
            let event: StreamEvent = queue[i]!;
            if (event.type === 'text' || event.type === 'reasoning') {
              if (!content) {
                content = true;
                watchdog.contentStarted();
              }
              if (event.type === 'text') {
                if (stitcher !== undefined) {
                  const delta = stitcher.take(event.delta);
                  if (delta === '') continue;
                  if (delta !== event.delta) event = { type: 'text', delta };
                }
                state.apply(event);
                if (rechunker !== undefined) {
                  const released = rechunker.push(event.delta);
                  if (released === undefined) continue;
                  event = { type: 'text', delta: released };
                }
                yield event;
                continue;
              }
            } else if (event.type === 'stop') {
              stopped = true;
              const rest = rechunker?.flush();
              if (rest !== undefined) yield { type: 'text', delta: rest };
            }
            state.apply(event);
            yield event;
          }
          queue.length = 0;
        }
        if (!stopped) throw endedEarly(state, content);
        finished = true;
      } catch (caught) {
        queue.length = 0;
        const error = attemptError(caught, watchdog.signal, modelId, state, messages ? 'stream' : 'request');
        if (!content) {
          errors.push(error);
          if (!shouldRetry(error, phaseAttempts, ctx.retry)) {
            // A continuation that cannot start still leaves the caller with the earlier partial answer.
            const final = finalRetryError(errors);
            throw state.chunkCount > 0 ? interruptedError(final, state) : final;
          }
          const delayMs = backoffDelay(phaseAttempts, error, ctx.retry);
          yield { type: 'retry', attempt: state.attempts, delayMs, error };
          await sleep(delayMs, scope.signal);
          continue;
        }
        if (!canResume(ctx, error)) throw interruptedError(error, state);
        state.resumes++;
        yield { type: 'resume', resumes: state.resumes, partialLength: state.text.length, error };
        ({ request, stitcher } = continuationRequest(ctx.request, state.text, state.chunkCount));
        state.carryOver();
        errors.length = 0;
        phaseAttempts = 0;
        continue;
      } finally {
        if (!finished) watchdog.abort(scope.signal.reason ?? new AbortError('The attempt ended.'));
        watchdog.dispose();
        // Leaving early (error, consumer break): let the body reader release the connection.
        if (!finished && messages !== undefined) await messages.return(undefined).catch(() => undefined);
      }
      break;
    }
    if (!state.usageReported) {
      yield { type: 'usage', inputTokens: state.inputTokens, outputTokens: state.outputTokens, source: 'estimated' };
    }
    result = state.result(modelId);
    return result;
  } catch (caught) {
    failure = attemptError(caught, scope.signal, modelId, state, 'request');
    const rest = rechunker?.flush();
    if (rest !== undefined) yield { type: 'text', delta: rest };
    throw failure;
  } finally {
    finishCall(ctx, call, result, failure);
  }
}

function canResume(ctx: CallContext, error: BedrockInferenceError): boolean {
  return (
    ctx.resume.enabled &&
    ctx.state.resumes < ctx.resume.maxResumes &&
    ctx.adapter?.continuation === 'prefill' &&
    ctx.request.reasoning === undefined &&
    ctx.state.reasoning === '' &&
    isResumable(error)
  );
}
