/**
 * Reads a request's JSON body with a size limit. Bodies already parsed by a framework (Express's
 * `express.json()`) are taken as they are. Failures are 4xx that say what to fix, never a 500.
 */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined && (req.readableEnded || typeof parsed === 'object')) return parsed;

  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/(.+\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type "${type}" is not supported.`, {
      field: 'content-type',
      fix: 'Send the body as JSON with "Content-Type: application/json".',
    });
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);

  const text = await readText(req, maxBytes);
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

/** Collects the body; past the limit it keeps draining (so the 413 can still be written) and rejects. */
function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.once('end', () =>
      size > maxBytes ? reject(tooLarge(maxBytes)) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', () =>
      reject(new HttpError(400, 'aborted', 'The request body could not be read.', { field: 'body' })),
    );
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`, {
    field: 'body',
    fix: `Send at most ${maxBytes} bytes (shorten the prompt or the conversation).`,
  });
}
