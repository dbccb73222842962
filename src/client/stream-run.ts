/**
 * One streaming call as a pull-based async generator: the upstream body is read only when the
 * consumer asks for the next event. Attempts are retried before their first content chunk; after
 * content arrived a break is an interruption, resumed with a prefill when enabled. The attempt's body
 * is decoded into the EventPump as it arrives (BodyReader); the consumer side takes the events from the
 * pump and waits (AttemptReader) only when it is used up.
 */
import { AbortError, type BedrockInferenceError } from '../errors.js';
import type { StreamEvent } from './stream-event.js';
import { BodyReader } from './event-stream/body-reader.js';
import { beginCall, finishCall, throttledDelay, type CallContext, type CallResources } from './call-context.js';
import { classifyStreamException } from './classify-error.js';
import { createRechunker } from './chunking.js';
import { attemptError, endedEarly, interruptedError } from './failure.js';
import { AttemptReads, EventPump, WAIT } from './event-pump.js';
import { continuationRequest, resumeBlocker } from './resume.js';
import { backoffDelay, finalRetryError, shouldRetry, sleep } from './retry.js';
import { AttemptWatchdog } from './timeouts.js';
import type { InferenceResult } from './types.js';
import { frameDecoder, openUpstream } from './upstream.js';

/** What the stream generator yields: single events, or an attempt's reads (each a read's worth of events). */
export type StreamStep = StreamEvent | EventPump | AttemptReads;

export async function* runStream(ctx: CallContext): AsyncGenerator<StreamStep, InferenceResult, undefined> {
  const { state, scope, modelId } = ctx;
  const rechunker = createRechunker(ctx.chunking);
  const pump = new EventPump(rechunker);
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
      const watchdog = new AttemptWatchdog(scope, ctx.timeouts);
      pump.startAttempt(frameDecoder(ctx.api, ctx.adapter, pump.sink, request.guardrail !== undefined, request));
      let reader: BodyReader | undefined;
      let finished = false;
      try {
        const response = await openUpstream(ctx, request, watchdog);
        state.requestId = response.requestId ?? state.requestId;
        reader = new BodyReader(response.body, pump);
        watchdog.follow(reader);
        // The consumer steps the reads itself; a failure comes back here thrown at this yield.
        yield new AttemptReader(ctx, reader, pump, watchdog);
        if (!pump.stopped) throw endedEarly(state, pump.content);
        finished = true;
      } catch (caught) {
        pump.clear();
        const error = attemptError(caught, watchdog, modelId, state, reader ? 'stream' : 'request');
        if (!pump.content) {
          errors.push(error);
          if (!shouldRetry(error, phaseAttempts, ctx.retry, errors)) {
            // A continuation that cannot start still leaves the caller with the earlier partial answer.
            const final = finalRetryError(errors);
            throw state.chunkCount > 0 ? interruptedError(final, state) : final;
          }
          // A throttled attempt also waits as long as the quota limiter says Bedrock needs to refill.
          const delayMs = Math.max(backoffDelay(phaseAttempts, error, ctx.retry), await throttledDelay(call, error));
          yield { type: 'retry', attempt: state.attempts, delayMs, error };
          await sleep(delayMs, scope.signal);
          continue;
        }
        if (!canResume(ctx, error)) throw interruptedError(error, state, resumeNote(ctx, error));
        state.resumes++;
        yield { type: 'resume', resumes: state.resumes, partialLength: state.text.length, error };
        // Carried over first: the continuation's budget is maxTokens less every output token so far.
        state.carryOver();
        const format = ctx.adapter?.continuation === 'prompt' ? 'prompt' : 'prefill';
        ({ request, stitcher: pump.stitcher } = continuationRequest(ctx.request, state, state.outputTokens, format));
        errors.length = 0;
        phaseAttempts = 0;
        continue;
      } finally {
        if (!finished) watchdog.abort(scope.reason ?? new AbortError('The attempt ended.'));
        watchdog.dispose();
        // Done or left early (error, consumer break): a body that did not end cleanly closes the request.
        reader?.close();
      }
      break;
    }
    ctx.retry.budget?.succeeded(phaseAttempts);
    if (!state.usageReported) {
      yield { type: 'usage', inputTokens: state.inputTokens, outputTokens: state.outputTokens, source: 'estimated' };
    }
    result = state.result(modelId);
    return result;
  } catch (caught) {
    failure = attemptError(caught, scope, modelId, state, 'request');
    const rest = rechunker?.flush();
    if (rest !== undefined) yield { type: 'text', delta: rest };
    throw failure;
  } finally {
    finishCall(ctx, call, result, failure);
  }
}

/**
 * One attempt's body as the consumer sees it: the pump, whenever it holds events; a wait for the body
 * only when it is used up. Ends when the body does; throws what ends the attempt otherwise, after the
 * events that came before it. Kept apart from runStream so the per-read path V8 optimises is small
 * (runStream holds the cold retry/resume logic).
 */
class AttemptReader extends AttemptReads {
  #contentSeen = false;
  #waiting = false;

  constructor(
    readonly ctx: CallContext,
    readonly reader: BodyReader,
    readonly pump: EventPump,
    readonly watchdog: AttemptWatchdog,
  ) {
    super();
  }

  poll(): EventPump | undefined | typeof WAIT {
    const { pump, watchdog } = this;
    if (this.#waiting) {
      this.#waiting = false;
      watchdog.waitEnd();
      if (watchdog.aborted) throw watchdog.reason;
    }
    if (pump.pending > 0) {
      if (!this.#contentSeen && pump.content) {
        this.#contentSeen = true;
        watchdog.contentStarted();
      }
      return pump;
    }
    this.#settle();
    return this.reader.ended ? undefined : WAIT;
  }

  wait(): Promise<void> {
    this.#waiting = true;
    this.watchdog.waitStart();
    return this.reader.wait();
  }

  /** The events are used up: throws the failure or exception message that came after them. */
  #settle(): void {
    const { pump } = this;
    const { unexpected, failure } = pump;
    if (failure !== undefined) throw failure;
    if (unexpected !== undefined) {
      const { state } = this.ctx;
      throw classifyStreamException(unexpected, {
        modelId: this.ctx.modelId,
        partialText: state.text,
        requestId: state.requestId,
        phase: 'stream',
      });
    }
    const error = this.reader.error;
    if (error !== undefined) throw error;
  }
}

function canResume(ctx: CallContext, error: BedrockInferenceError): boolean {
  return (
    ctx.resume.enabled &&
    ctx.state.resumes < ctx.resume.maxResumes &&
    resumeBlocker(ctx.adapter, ctx.state, error, ctx.api) === undefined
  );
}

/** What the error says about resuming: exactly why not, or how to turn it on where it would work. */
function resumeNote(ctx: CallContext, error: BedrockInferenceError): string {
  const blocker = resumeBlocker(ctx.adapter, ctx.state, error, ctx.api);
  if (blocker !== undefined) return `Resume is not possible here: ${blocker}.`;
  if (!ctx.resume.enabled) return 'Pass resume: true to continue it automatically.';
  return `It was resumed ${ctx.state.resumes} time(s), the most allowed (resume.maxResumes).`;
}
