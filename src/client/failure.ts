/**
 * Turns whatever ended an attempt into the one error hierarchy: our own aborts and timeouts win over
 * what the transport reported, everything else goes through the classifier, and a failure after
 * content arrived becomes a StreamInterruptedError carrying the partial answer.
 */
import {
  AbortError,
  BedrockInferenceError,
  ServiceError,
  StreamInterruptedError,
  TimeoutError,
  ToolInputError,
} from '../errors.js';
import { classifyError } from './classify-error.js';
import { isResumable } from './resume.js';
import type { StreamState } from './stream-state.js';

/** The classified error of one failed attempt; `partialText` is the whole answer so far. */
export function attemptError(
  error: unknown,
  attemptSignal: { readonly aborted: boolean; readonly reason: unknown },
  modelId: string,
  state: StreamState,
  phase: 'request' | 'stream',
): BedrockInferenceError {
  const reason: unknown = attemptSignal.aborted ? attemptSignal.reason : undefined;
  let classified: BedrockInferenceError;
  if (reason instanceof AbortError || reason instanceof TimeoutError) classified = reason;
  else if (BedrockInferenceError.isInstance(error)) classified = error;
  else classified = classifyError(error, { modelId, partialText: state.text, requestId: state.requestId, phase });
  classified.partialText = state.text;
  return classified;
}

/** A stream that ended without its stop event: an interruption, never a silent success. */
export function endedEarly(state: StreamState, contentArrived: boolean): BedrockInferenceError {
  const options = { retryable: true, requestId: state.requestId, partialText: state.text, code: 'StreamEndedEarly' };
  if (!contentArrived) {
    return new ServiceError('Bedrock closed the stream before sending any content; retry the request.', options);
  }
  return new StreamInterruptedError(
    'Bedrock closed the stream before the model finished (no stop event). The partial answer is in ' +
      'error.partialText; pass resume: true to continue it automatically.',
    options,
  );
}

const RESUME_HINT = 'pass resume: true to continue it automatically.';

/**
 * The error the caller sees when a stream breaks after content arrived and is not resumed; `resumeNote`
 * (from stream-run) replaces the generic "pass resume: true" with what really applies to this call.
 */
export function interruptedError(
  error: BedrockInferenceError,
  state: StreamState,
  resumeNote?: string,
): BedrockInferenceError {
  // A cut inside a tool call's input keeps the fragments received (PartialToolCall).
  error.partialText = state.text;
  const open = state.openToolCall;
  if (open !== undefined) error.partialToolCall = { ...open, inputFragments: [...open.inputFragments] };
  const passedThrough =
    error instanceof StreamInterruptedError ||
    error instanceof AbortError ||
    error instanceof TimeoutError ||
    error instanceof ToolInputError;
  if (error instanceof StreamInterruptedError && resumeNote !== undefined && error.message.endsWith(RESUME_HINT)) {
    error.message = `${error.message.slice(0, -RESUME_HINT.length)}${lowerFirst(resumeNote)}`;
  } else if (
    passedThrough &&
    isResumable(error) &&
    resumeNote !== undefined &&
    toolCallsInvolved(state) &&
    !error.message.includes(resumeNote)
  ) {
    // With tool calls the caller must learn why nothing was re-run, whatever the error said.
    error.message = `${error.message} ${resumeNote}`;
  }
  if (passedThrough) return error;
  const interrupted = new StreamInterruptedError(
    `The stream broke after ${state.text.length} characters of the answer: ${error.message} ` +
      `The partial answer is in error.partialText; ${lowerFirst(resumeNote ?? RESUME_HINT)}`,
    {
      retryable: error.retryable,
      requestId: error.requestId ?? state.requestId,
      cause: error,
      partialText: state.text,
      code: error.code,
      statusCode: error.statusCode,
    },
  );
  interrupted.partialToolCall = error.partialToolCall;
  return interrupted;
}

function toolCallsInvolved(state: StreamState): boolean {
  return state.openToolCall !== undefined || state.toolCalls.length > 0;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
