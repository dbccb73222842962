/**
 * Failures of the event-stream layer itself (a bad frame, a 2xx body that is no event stream, a chunk that
 * is not the family's JSON) as BedrockInferenceErrors. classify-error.ts delegates these here.
 */
import { ConnectionError, ServiceError, ValidationError } from '../../errors.js';
import type { BedrockInferenceError, BedrockInferenceErrorOptions } from '../../errors.js';
import { ChunkPayloadError } from './chunk-payload.js';
import { EventStreamFramingError } from './decoder.js';
import { UnexpectedResponseError } from './unexpected-response-error.js';

/**
 * `where` names the call in the message (`model X while streaming`); `base` carries requestId, partialText
 * and cause. Returns undefined for errors of other layers.
 */
export function classifyWireFailure(
  error: unknown,
  where: string,
  base: BedrockInferenceErrorOptions,
): BedrockInferenceError | undefined {
  if (error instanceof EventStreamFramingError) {
    // A body cut mid-frame is a dropped connection; a bad checksum or length is a corrupted response.
    const type = error.kind === 'truncated' ? ConnectionError : ServiceError;
    return new type(`The response stream from ${where} was unreadable: ${error.message}`, {
      ...base,
      retryable: error.kind !== 'length',
      code: `EventStream${error.kind[0]!.toUpperCase()}${error.kind.slice(1)}`,
    });
  }
  if (error instanceof UnexpectedResponseError) {
    const unknownOperation = error.bodyText.includes('UnknownOperationException');
    const type = unknownOperation ? ValidationError : ServiceError;
    const todo = unknownOperation
      ? 'Bedrock did not recognise the operation: a model ARN was probably sent with an unencoded "/". Pass the ' +
        'ARN as modelId unchanged (the SDK encodes it) and make sure no proxy decodes the path.'
      : 'Check the endpoint: something other than Bedrock (a proxy?) answered.';
    return new type(`${error.message} (${where}). ${todo}`, {
      ...base,
      requestId: error.requestId ?? base.requestId,
      statusCode: error.statusCode,
      retryable: false,
      code: unknownOperation ? 'UnknownOperationException' : 'UnexpectedResponse',
    });
  }
  if (error instanceof ChunkPayloadError) {
    return new ServiceError(
      `${error.message} (${where}). The model's output format may have changed; try api: 'converse'.`,
      {
        ...base,
        retryable: false,
        code: 'MalformedChunk',
      },
    );
  }
  return undefined;
}
