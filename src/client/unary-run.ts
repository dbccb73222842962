/**
 * The non-streaming call (InvokeModel / Converse) with the same result shape, retries, timeouts and
 * cancellation as the stream. The first-chunk timeout covers the wait for the whole response.
 */
import type { ConverseCommandOutput, InvokeModelCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import type { BedrockInferenceError } from '../errors.js';
import { decodeConverseResponse } from '../models/converse.js';
import { GuardrailWatch } from '../models/guardrail-verdict.js';
import type { ChunkEventSink } from '../models/types.js';
import { attemptError } from './failure.js';
import { backoffDelay, finalRetryError, shouldRetry, sleep } from './retry.js';
import { beginCall, finishCall, throttledDelay, type CallContext, type CallResources } from './call-context.js';
import { AttemptWatchdog } from './timeouts.js';
import type { InferenceResult } from './types.js';
import { emitHeaderUsage, unaryCommand } from './upstream.js';

const textDecoder = new TextDecoder();

export async function runUnary(ctx: CallContext): Promise<InferenceResult> {
  const { state, scope, modelId } = ctx;
  const emit: ChunkEventSink = (event) => state.apply(event);
  let call: CallResources | undefined;
  let result: InferenceResult | undefined;
  let failure: BedrockInferenceError | undefined;
  const errors: BedrockInferenceError[] = [];
  scope.start();
  try {
    call = await beginCall(ctx, false);
    for (;;) {
      state.attempts++;
      const watchdog = new AttemptWatchdog(scope, ctx.timeouts);
      try {
        const command = unaryCommand(ctx.api, modelId, ctx.adapter, ctx.request);
        const { output, headers } = await ctx.transport.send<InvokeModelCommandOutput | ConverseCommandOutput>(
          command,
          watchdog,
        );
        if (watchdog.aborted) throw watchdog.reason;
        state.requestId = output.$metadata.requestId;
        const { guardrail } = ctx.request;
        const watch = guardrail === undefined ? undefined : new GuardrailWatch(emit, guardrail.trace === true);
        const sink = watch?.sink ?? emit;
        if (ctx.api === 'converse') {
          const converse = output as ConverseCommandOutput;
          watch?.readConverse('messageStop', { stopReason: converse.stopReason });
          watch?.readConverse('metadata', { trace: converse.trace, usage: converse.usage });
          decodeConverseResponse(converse, sink);
        } else {
          const body = JSON.parse(textDecoder.decode((output as InvokeModelCommandOutput).body)) as Record<
            string,
            unknown
          >;
          watch?.readNative(body);
          ctx.adapter?.decodeResponse(body, sink);
          // Bedrock's header counts are authoritative, so they go last.
          emitHeaderUsage(headers, sink);
        }
        ctx.retry.budget?.succeeded(state.attempts);
        break;
      } catch (caught) {
        const error = attemptError(caught, watchdog, modelId, state, 'request');
        errors.push(error);
        if (!shouldRetry(error, state.attempts, ctx.retry, errors)) throw finalRetryError(errors);
        const delayMs = Math.max(backoffDelay(state.attempts, error, ctx.retry), await throttledDelay(call, error));
        await sleep(delayMs, scope.signal);
      } finally {
        watchdog.dispose();
      }
    }
    result = state.result(modelId);
    return result;
  } catch (caught) {
    failure = attemptError(caught, scope, modelId, state, 'request');
    throw failure;
  } finally {
    finishCall(ctx, call, result, failure);
  }
}
