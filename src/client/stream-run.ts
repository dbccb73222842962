/**
 * One streaming call as a pull-based async generator: the upstream body is read only when the
 * consumer asks for the next event. Attempts are retried before their first content chunk; after
 * content arrived a break is an interruption, resumed with a prefill when enabled. Per socket read:
 * one await, one synchronous decode of its frames into the EventPump, one yield of the pump; the
 * consumer side takes the events from it.
 */
import { AbortError, type BedrockInferenceError } from '../errors.js';
import type { StreamEvent } from './stream-event.js';
import type { EventStreamMessage } from './event-stream/decoder.js';
import { beginCall, finishCall, type CallContext, type CallResources } from './call-context.js';
import { classifyStreamException } from './classify-error.js';
import { createRechunker } from './chunking.js';
import { attemptError, endedEarly, interruptedError } from './failure.js';
import { EventPump } from './event-pump.js';
import { keepSample } from './shape-samples.js';
import { continuationRequest, isResumable } from './resume.js';
import { backoffDelay, finalRetryError, shouldRetry, sleep } from './retry.js';
import { AttemptWatchdog } from './timeouts.js';
import type { InferenceResult } from './types.js';
import { messageDecoder, openUpstream } from './upstream.js';

/** What the stream generator yields: single events, or a read's worth of them in the pump. */
export type StreamStep = StreamEvent | EventPump;

export async function* runStream(ctx: CallContext): AsyncGenerator<StreamStep, InferenceResult, undefined> {
  const { state, scope, modelId } = ctx;
  const rechunker = createRechunker(ctx.chunking);
  const pump = new EventPump(rechunker);
  keepSample('context', ctx);
  keepSample('state', state);
  keepSample('scope', scope);
  let call: CallResources | undefined;
  let result: InferenceResult | undefined;
  let failure: BedrockInferenceError | undefined;
  let request = ctx.request;
  const errors: BedrockInferenceError[] = [];
  let phaseAttempts = 0;
  scope.start();
  try {
    call = await beginCall(ctx, true);
    for (;;) {
      state.attempts++;
      phaseAttempts++;
      const watchdog = new AttemptWatchdog(scope.signal, ctx.timeouts);
      keepSample('watchdog', watchdog);
      pump.startAttempt(messageDecoder(ctx.api, ctx.adapter, pump.sink));
      let batches: AsyncGenerator<readonly EventStreamMessage[]> | undefined;
      let finished = false;
      try {
        const response = await openUpstream(ctx, request, watchdog.signal);
        keepSample('response', response);
        state.requestId = response.requestId ?? state.requestId;
        batches = response.batches;
        for (;;) {
          // One await per socket read: the frames it completed are decoded at once, then handed over.
          watchdog.waitStart();
          const step = await batches.next();
          watchdog.waitEnd();
          if (watchdog.signal.aborted) throw watchdog.signal.reason;
          if (step.done === true) break;
          const started = pump.content;
          pump.fill(step.value);
          if (!started && pump.content) watchdog.contentStarted();
          // The consumer takes this read's events from the pump (applying each to the state) before resuming us.
          if (pump.events.length > 0) yield pump;
          const { unexpected, failure: undecodable } = pump;
          pump.clear();
          if (undecodable !== undefined) throw undecodable;
          if (unexpected !== undefined) {
            throw classifyStreamException(unexpected, {
              modelId,
              partialText: state.text,
              requestId: state.requestId,
              phase: 'stream',
            });
          }
        }
        if (!pump.stopped) throw endedEarly(state, pump.content);
        finished = true;
      } catch (caught) {
        pump.clear();
        const error = attemptError(caught, watchdog.signal, modelId, state, batches ? 'stream' : 'request');
        if (!pump.content) {
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
        ({ request, stitcher: pump.stitcher } = continuationRequest(ctx.request, state.text, state.chunkCount));
        state.carryOver();
        errors.length = 0;
        phaseAttempts = 0;
        continue;
      } finally {
        if (!finished) watchdog.abort(scope.signal.reason ?? new AbortError('The attempt ended.'));
        watchdog.dispose();
        // Leaving early (error, consumer break): let the body reader release the connection.
        if (!finished && batches !== undefined) await batches.return(undefined).catch(() => undefined);
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
