/**
 * Errors the emulator answers with, named and numbered as Bedrock does (bedrock-wire.md §3.1).
 * Thrown anywhere in request handling; the HTTP layer turns them into a status, an
 * `x-amzn-errortype` header and a `{"message"}` body, or into an exception frame mid-stream.
 */
export const BEDROCK_ERROR_STATUS = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  // Not Bedrock's own: what AWS's front end answers for a bad signature or an unknown key.
  InvalidSignatureException: 403,
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403,
  MissingAuthenticationTokenException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ModelErrorException: 424,
  ModelStreamErrorException: 424,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
} as const;

export type BedrockErrorName = keyof typeof BEDROCK_ERROR_STATUS;

/** Modelled extra members some exceptions carry in their body. */
export interface BedrockErrorFields {
  originalStatusCode?: number;
  originalMessage?: string;
  resourceName?: string;
}

export class BedrockServiceError extends Error {
  readonly status: number;
  readonly fields: BedrockErrorFields;

  constructor(
    readonly errorType: BedrockErrorName,
    message: string,
    fields: BedrockErrorFields = {},
  ) {
    super(message);
    this.name = errorType;
    this.status = BEDROCK_ERROR_STATUS[errorType];
    this.fields = fields;
  }

  /** The JSON body Bedrock sends: `{"message": ...}` plus modelled members. */
  toBody(): Record<string, unknown> {
    return { message: this.message, ...this.fields };
  }
}

/** Bedrock's wording for request-body validation failures. */
export function malformedInput(detail: string): BedrockServiceError {
  return new BedrockServiceError(
    'ValidationException',
    `Malformed input request: ${detail}, please reformat your input and try again.`,
  );
}

/** What Bedrock says for each error when nothing more specific applies (fault injection uses these). */
export const DEFAULT_ERROR_MESSAGES: Record<BedrockErrorName, string> = {
  ValidationException: 'Malformed input request, please reformat your input and try again.',
  ServiceQuotaExceededException:
    'Your request exceeds the service quotas for your account. You can view your quotas at https://docs.aws.amazon.com/bedrock/latest/userguide/quotas.html.',
  AccessDeniedException: "You don't have access to the model with the specified model ID.",
  InvalidSignatureException:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  UnrecognizedClientException: 'The security token included in the request is invalid.',
  ExpiredTokenException: 'The security token included in the request is expired',
  MissingAuthenticationTokenException: 'Missing Authentication Token',
  ResourceNotFoundException: 'The requested resource could not be found.',
  ModelTimeoutException: 'Model has timed out in processing the request. Try your request again.',
  ModelErrorException: 'The model returned an error. Try your request again.',
  ModelStreamErrorException: 'The model stream encountered an error. Try your request again.',
  ThrottlingException: 'Too many requests, please wait before trying again.',
  ModelNotReadyException: 'Model is not ready for inference. Wait and try your request again.',
  InternalServerException: 'The system encountered an unexpected error during processing. Try your request again.',
  ServiceUnavailableException: 'Bedrock is unable to process your request.',
};

/** The `x-amzn-errortype` value real Bedrock sends (the SDK keeps the part before the first `:`). */
export function errorTypeHeader(errorType: string): string {
  return `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
}
