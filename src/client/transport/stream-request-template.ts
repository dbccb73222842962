/**
 * The streaming request of our own SDK client, rebuilt from the one the SDK built. The first
 * InvokeModelWithResponseStream a client sends goes through the SDK's whole pipeline: auth-scheme and
 * endpoint resolution, its serializer, the length, user-agent and host headers. A middleware just before
 * the retry and signing steps records that request, unsigned, with the signer and signing options the
 * SDK's signing step will use. Later requests of the same shape differ from it only in the model id in
 * the path, the body and its length, so they are built from the record, given the headers the retry step
 * adds, and signed by that signer with the same clock-skew-corrected date: per request this skips a
 * dozen async middleware steps (most of the SDK's per-request CPU). Anything the record cannot stand for
 * (another operation or input shape, a non-SigV4 auth scheme, a per-invocation trace header) keeps
 * going through the SDK. test/client/transport/stream-request-template.test.ts checks the rebuilt
 * request against the SDK's own.
 */
import { randomUUID } from 'node:crypto';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import type {
  AuthScheme,
  FinalizeHandlerArguments,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  HttpRequest,
  MetadataBearer,
  RequestSigner,
} from '@smithy/types';

/** What our streaming command's input holds (upstream.ts builds it): nothing else fits the record. */
export interface LeanStreamInput {
  modelId: string;
  contentType: string;
  accept: string;
  body: string;
}

/** The parts of the SDK's resolved config the signing step reads. */
export interface SigningConfig {
  signer: (authScheme?: AuthScheme) => Promise<RequestSigner>;
  systemClockOffset: number;
  disableClockSkewCorrection?: () => Promise<boolean | undefined>;
}

const OPERATION = 'InvokeModelWithResponseStreamCommand';
const INPUT_KEYS = ['modelId', 'contentType', 'accept', 'body'] as const;
const SIGV4 = 'aws.auth#sigv4';
/**
 * Per-invocation headers (AWS Lambda's trace id from the SDK's recursion-detection step, W3C trace
 * context and baggage from a tracing middleware): a request carrying one is never replayed.
 */
const PER_CALL_HEADERS = new Set(['x-amzn-trace-id', 'traceparent', 'tracestate', 'baggage']);

export function isLeanStreamInput(input: object): input is LeanStreamInput {
  const record = input as Record<string, unknown>;
  let keys = 0;
  for (const key in record) {
    if (record[key] === undefined) continue;
    if (!(INPUT_KEYS as readonly string[]).includes(key)) return false;
    if (typeof record[key] !== 'string') return false;
    keys++;
  }
  return keys === INPUT_KEYS.length;
}

export class StreamRequestTemplate {
  readonly #protocol: string;
  readonly #hostname: string;
  readonly #port: number | undefined;
  /** The path around the encoded model id. */
  readonly #pathStart: string;
  readonly #pathEnd: string;
  /** The SDK's headers but the length (and nothing per request). */
  readonly #headers: Record<string, string>;
  readonly #contentType: string;
  readonly #accept: string;
  readonly #signer: RequestSigner;
  readonly #signingRegion: string | undefined;
  readonly #signingService: string | undefined;
  readonly #config: SigningConfig;
  readonly #skewCorrection: boolean;

  private constructor(
    request: HttpRequest,
    input: LeanStreamInput,
    pathStart: string,
    pathEnd: string,
    signing: { signer: RequestSigner; region: string | undefined; service: string | undefined },
    config: SigningConfig,
    skewCorrection: boolean,
  ) {
    this.#protocol = request.protocol;
    this.#hostname = request.hostname;
    this.#port = request.port;
    this.#pathStart = pathStart;
    this.#pathEnd = pathEnd;
    const headers: Record<string, string> = {};
    for (const name in request.headers) {
      if (name.toLowerCase() !== 'content-length') headers[name] = request.headers[name]!;
    }
    this.#headers = headers;
    this.#contentType = input.contentType;
    this.#accept = input.accept;
    this.#signer = signing.signer;
    this.#signingRegion = signing.region;
    this.#signingService = signing.service;
    this.#config = config;
    this.#skewCorrection = skewCorrection;
  }

  /**
   * A record of the SDK's unsigned request, when it can stand for later ones; undefined otherwise. Reads
   * what the SDK's signing step would: the selected auth scheme, the endpoint's auth scheme, the config.
   */
  static async capture(
    request: HttpRequest,
    input: object,
    context: HandlerExecutionContext,
    config: SigningConfig,
  ): Promise<StreamRequestTemplate | undefined> {
    if (context.commandName !== OPERATION || !isLeanStreamInput(input)) return undefined;
    if (request.method !== 'POST' || byteLength(request.body) !== Buffer.byteLength(input.body)) return undefined;
    if (request.query !== undefined && Object.keys(request.query).length > 0) return undefined;
    if (request.username !== undefined || request.password !== undefined || request.fragment !== undefined) {
      return undefined;
    }
    if (Object.keys(request.headers).some((name) => PER_CALL_HEADERS.has(name.toLowerCase()))) return undefined;
    const encodedModel = `/model/${extendedEncodeURIComponent(input.modelId)}/`;
    const at = request.path.lastIndexOf(encodedModel);
    if (at < 0) return undefined;
    const smithy = (context as { __smithy_context?: SmithyContext }).__smithy_context;
    const option = smithy?.selectedHttpAuthScheme?.httpAuthOption;
    if (option?.schemeId !== SIGV4) return undefined;
    const endpointSchemes = (context as EndpointContext).endpointV2?.properties?.authSchemes;
    // The SDK's SigV4 step signs with the second scheme when the endpoint lists sigv4a first: not ours.
    if ((endpointSchemes?.length ?? 0) > 1) return undefined;
    const signer = await config.signer(endpointSchemes?.[0] as AuthScheme | undefined);
    const skewCorrection = (await config.disableClockSkewCorrection?.()) !== true;
    const properties = option.signingProperties ?? {};
    return new StreamRequestTemplate(
      request,
      input,
      request.path.slice(0, at + '/model/'.length),
      request.path.slice(at + encodedModel.length - 1),
      {
        signer,
        region: typeof properties.signingRegion === 'string' ? properties.signingRegion : undefined,
        service: typeof properties.signingName === 'string' ? properties.signingName : undefined,
      },
      config,
      skewCorrection,
    );
  }

  /** The command's input is what the record was made from, but for its model id and body. */
  fits(input: object): input is LeanStreamInput {
    return isLeanStreamInput(input) && input.contentType === this.#contentType && input.accept === this.#accept;
  }

  /** The signed request for `input`, as the SDK would have sent it as a first and only attempt. */
  async sign(input: LeanStreamInput): Promise<HttpRequest> {
    const headers = { ...this.#headers };
    headers['content-length'] = String(Buffer.byteLength(input.body));
    headers['amz-sdk-invocation-id'] = randomUUID();
    headers['amz-sdk-request'] = 'attempt=1; max=1';
    const request: HttpRequest = {
      method: 'POST',
      protocol: this.#protocol,
      hostname: this.#hostname,
      path: this.#pathStart + extendedEncodeURIComponent(input.modelId) + this.#pathEnd,
      query: {},
      headers,
      body: input.body,
    };
    if (this.#port !== undefined) request.port = this.#port;
    const signingDate = this.#skewCorrection ? new Date(Date.now() + this.#config.systemClockOffset) : new Date();
    const options: { signingDate: Date; signingRegion?: string; signingService?: string } = { signingDate };
    if (this.#signingRegion !== undefined) options.signingRegion = this.#signingRegion;
    if (this.#signingService !== undefined) options.signingService = this.#signingService;
    return this.#signer.sign(request, options);
  }
}

/** The length of a body the SDK's serializer produced (a string or bytes); -1 for anything else. */
function byteLength(body: unknown): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  return body instanceof Uint8Array ? body.byteLength : -1;
}

interface SmithyContext {
  selectedHttpAuthScheme?: {
    httpAuthOption?: { schemeId?: string; signingProperties?: Record<string, unknown> };
  };
}

interface EndpointContext {
  endpointV2?: { properties?: { authSchemes?: unknown[] } };
}

export const TEMPLATE_CAPTURE_MIDDLEWARE_NAME = 'awsBedrockInferenceStreamRequestTemplate';

/**
 * Placed just before the retry step (and so before signing): hands the first fitting request to
 * `onCapture`; once it has a record, it does nothing but pass requests on.
 */
export function templateCaptureMiddleware(
  config: () => SigningConfig,
  captured: () => boolean,
  onCapture: (template: StreamRequestTemplate) => void,
): FinalizeRequestMiddleware<object, MetadataBearer> {
  return (next, context) => async (args: FinalizeHandlerArguments<object>) => {
    if (!captured() && context.commandName === OPERATION) {
      const template = await StreamRequestTemplate.capture(args.request as HttpRequest, args.input, context, config());
      if (template !== undefined) onCapture(template);
    }
    return next(args);
  };
}
