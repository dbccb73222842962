/**
 * Reads a request's JSON body with a size limit and a time limit. Only `application/json` is accepted
 * (415 otherwise): `text/plain` and form types are what a cross-site page may send without a preflight.
 * The body must be UTF-8 (a `charset` parameter naming another is refused, invalid bytes too), so no
 * replacement characters reach the model. Bodies already parsed by a framework (Express's
 * `express.json()`) are taken as they are. Failures are 4xx that say what to fix, never a 500.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export interface BodyLimits {
  maxBodyBytes: number;
  /** How long the whole body may take to arrive, ms; a body still incomplete then gets a 408. */
  bodyTimeoutMs: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  checkContentType(req.headers['content-type']);
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined && (req.readableEnded || typeof parsed === 'object')) return parsed;

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);

  const text = decodeUtf8(await readBytes(req, limits));
  if (text.trim() === '') {
    throw new HttpError(400, 'invalid_json', 'The request body is empty.', {
      field: 'body',
      fix: 'Send a JSON object, e.g. {"prompt":"Hello"}.',
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.', {
      field: 'body',
      fix: 'Send a JSON object with double-quoted keys and strings, e.g. {"prompt":"Hello"}.',
    });
  }
}

function checkContentType(type: string | undefined): void {
  const [mediaType = '', ...params] = (type ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') {
    throw new HttpError(
      415,
      'unsupported_media_type',
      type === undefined
        ? 'The request has no Content-Type.'
        : `Content-Type "${type.slice(0, 100)}" is not supported.`,
      { field: 'content-type', fix: 'Send the body as JSON with "Content-Type: application/json".' },
    );
  }
  const charset = params
    .find((param) => param.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(400, 'unsupported_charset', `The body's charset "${charset.slice(0, 40)}" is not UTF-8.`, {
      field: 'content-type',
      fix: 'Encode the JSON body as UTF-8 and send "Content-Type: application/json" (or charset=utf-8).',
    });
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_utf8', 'The request body is not valid UTF-8.', {
      field: 'body',
      fix: 'Encode the JSON body as UTF-8; characters outside ASCII may also be written as \\u escapes.',
    });
  }
}

/**
 * Collects the body; past the size limit it keeps draining (so the 413 can still be written) and
 * rejects; a body that has not ended within the time limit is a 408 (the connection is then closed).
 */
function readBytes(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer =
      limits.bodyTimeoutMs > 0
        ? setTimeout(() => {
            cleanup();
            reject(
              new HttpError(
                408,
                'request_timeout',
                `The request body did not arrive within ${limits.bodyTimeoutMs} ms.`,
                {
                  field: 'body',
                  fix: 'Send the whole body at once, with a Content-Length that matches it.',
                },
              ),
            );
          }, limits.bodyTimeoutMs)
        : undefined;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limits.maxBodyBytes) chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (size > limits.maxBodyBytes) reject(tooLarge(limits.maxBodyBytes));
      else resolve(Buffer.concat(chunks));
    };
    const onError = () => {
      cleanup();
      reject(new HttpError(400, 'aborted', 'The request body could not be read.', { field: 'body' }));
    };
    const cleanup = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`, {
    field: 'body',
    fix: `Send at most ${maxBytes} bytes (shorten the prompt or the conversation).`,
  });
}
