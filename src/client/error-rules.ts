/**
 * The classification table: for each Bedrock exception name, the library error class, whether a retry can
 * help, what happened and what to do; plus the network error codes that mean a dropped connection.
 */
import {
  AccessDeniedError,
  ModelNotFoundError,
  ServiceError,
  ThrottlingError,
  ValidationError,
  type BedrockInferenceError,
  type BedrockInferenceErrorOptions,
} from '../errors.js';

type ErrorClass = new (message: string, options?: BedrockInferenceErrorOptions) => BedrockInferenceError;

export interface Rule {
  type: ErrorClass;
  retryable: boolean;
  what: string;
  todo: string;
}

const RETRY_LATER = 'Retry later; the request itself is fine.';

/** Bedrock's exception names (pre-stream shape names; mid-stream lowerCamel members are capitalised first). */
export const RULES: Readonly<Record<string, Rule>> = {
  ThrottlingException: {
    type: ThrottlingError,
    retryable: true,
    what: 'Bedrock throttled the request (too many requests or tokens for this model)',
    todo: 'Wait and retry with backoff, lower the request rate or max tokens, or ask for a higher quota.',
  },
  ServiceQuotaExceededException: {
    type: ThrottlingError,
    retryable: false,
    what: 'The request exceeds a Bedrock service quota of this account',
    todo: 'Request a quota increase in the Service Quotas console or lower max tokens; retrying will not help.',
  },
  ModelNotReadyException: {
    type: ServiceError,
    retryable: true,
    what: 'The model is not ready to serve requests yet',
    todo: 'Retry in a few seconds; Bedrock is warming the model up.',
  },
  ValidationException: {
    type: ValidationError,
    retryable: false,
    what: 'Bedrock rejected the request as invalid',
    todo: 'Fix the request (body fields, model id, region or inference profile); retrying will not help.',
  },
  AccessDeniedException: {
    type: AccessDeniedError,
    retryable: false,
    what: 'The credentials may not call this model',
    todo: 'Enable model access in the Bedrock console and grant bedrock:InvokeModel* to these credentials.',
  },
  // Rejected by AWS's authentication layer before Bedrock saw the request.
  UnrecognizedClientException: {
    type: AccessDeniedError,
    retryable: false,
    what: 'AWS does not recognise these credentials',
    todo: 'Check the access key id (and the region: keys are valid only in their partition).',
  },
  InvalidSignatureException: {
    type: AccessDeniedError,
    retryable: false,
    what: 'AWS rejected the request signature',
    todo: 'Check the secret access key and that the machine clock is correct.',
  },
  MissingAuthenticationTokenException: {
    type: AccessDeniedError,
    retryable: false,
    what: 'The request reached AWS unsigned',
    todo: 'Sign requests with SigV4: give the client credentials (or a profile) instead of none.',
  },
  ExpiredTokenException: {
    type: AccessDeniedError,
    retryable: false,
    what: 'The session credentials have expired',
    todo: 'Refresh the credentials (e.g. aws sso login) and retry.',
  },
  CredentialsProviderError: {
    type: AccessDeniedError,
    retryable: false,
    what: 'No AWS credentials could be found',
    todo: 'Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass `credentials` or `profile`.',
  },
  ResourceNotFoundException: {
    type: ModelNotFoundError,
    retryable: false,
    what: 'Bedrock does not know this model, inference profile or ARN in this region',
    todo: 'Check the model id and region (newer models need a us./eu./apac. inference profile id).',
  },
  ModelTimeoutException: {
    type: ServiceError,
    retryable: true,
    what: 'The model took too long to respond',
    todo: 'Retry, or ask for a shorter answer (lower max tokens).',
  },
  ModelErrorException: { type: ServiceError, retryable: true, what: 'The model failed', todo: RETRY_LATER },
  ModelStreamErrorException: {
    type: ServiceError,
    retryable: true,
    what: 'The model failed while streaming',
    todo: RETRY_LATER,
  },
  InternalServerException: {
    type: ServiceError,
    retryable: true,
    what: 'Bedrock had an internal error',
    todo: RETRY_LATER,
  },
  ServiceUnavailableException: {
    type: ServiceError,
    retryable: true,
    what: 'Bedrock is temporarily unavailable',
    todo: RETRY_LATER,
  },
};

export const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** Sharper advice for well-known variants of an exception. */
export function refine(rule: Rule, name: string, detail: string, originalStatusCode: unknown): Rule {
  // A model stream error that was really a throttle is treated as one.
  if (name === 'ModelStreamErrorException' && originalStatusCode === 429) return RULES.ThrottlingException!;
  if (name === 'ValidationException' && /on-demand throughput/i.test(detail)) {
    return { ...rule, todo: 'Use an inference profile id for this model (e.g. us.<model id>) or its ARN.' };
  }
  return rule;
}
