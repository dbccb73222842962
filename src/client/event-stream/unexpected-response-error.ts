/**
 * A 2xx response whose body is not an event stream. Real Bedrock does this when a model ARN's `/` reached it
 * unencoded: HTTP 200 with `{"Output":{"__type":"...UnknownOperationException"},"Version":"1.0"}`
 * (bedrock-wire.md §1.5); proxies that rewrite responses do it too.
 */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
  readonly statusCode: number;
  readonly contentType: string;
  /** The start of the body, for the message and for debugging. */
  readonly bodyText: string;
  readonly requestId: string | undefined;

  constructor(statusCode: number, contentType: string, bodyText: string, requestId: string | undefined) {
    super(
      `Bedrock answered HTTP ${statusCode} with ${contentType || 'no content type'} instead of an event stream: ` +
        bodyText.slice(0, 300),
    );
    this.statusCode = statusCode;
    this.contentType = contentType;
    this.bodyText = bodyText;
    this.requestId = requestId;
  }
}
