/**
 * A local HTTP/2 (h2c) server that records every request it gets (method, path, headers, body) and
 * answers with what the test sets; and an independent check of a recorded request's SigV4 signature
 * (the emulator's: the SDK's SignatureV4 over node's crypto, with only the headers the request says it signed).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { AwsCredentialIdentity } from '@smithy/types';
import { expectedAuthorization as signatureFor, parseAmzDate } from '../../../src/emulator/signature-check.js';

export interface RecordedRequest {
  method: string;
  path: string;
  /** Every header; of the pseudo-headers only `:authority`, which the SDK signs over HTTP/2 instead of `host`. */
  headers: Record<string, string>;
  body: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  /** What every request is answered with (default: 200, an empty JSON object). */
  answer: Answer;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const server = http2.createServer();
  const recording: RecordingServer = {
    url: '',
    requests: [],
    answer: { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'r' }, body: '{}' },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server.on('stream', (stream, headers) => {
    const parts: Buffer[] = [];
    stream.on('data', (part: Buffer) => parts.push(part));
    stream.on('end', () => {
      const plain: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if ((!name.startsWith(':') || name === ':authority') && value !== undefined) plain[name] = String(value);
      }
      recording.requests.push({
        method: String(headers[':method']),
        path: String(headers[':path']),
        headers: plain,
        body: Buffer.concat(parts).toString('utf8'),
      });
      const { status, headers: answerHeaders, body } = recording.answer;
      stream.respond({ ':status': status, ...answerHeaders });
      stream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recording.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return recording;
}

/** Signs the recorded request again (the emulator's SigV4 check: SignatureV4 over node's crypto) with only the headers it says were signed, at its own date. */
export async function expectedAuthorization(
  request: RecordedRequest,
  credentials: AwsCredentialIdentity,
  region = 'us-east-1',
): Promise<string> {
  const signedNames = /SignedHeaders=([^,]+)/.exec(request.headers.authorization ?? '')?.[1]?.split(';') ?? [];
  const signingDate = parseAmzDate(request.headers['x-amz-date'] ?? '');
  if (signingDate === undefined) throw new Error(`recorded request has no valid x-amz-date: ${request.path}`);
  const received = { ...request, body: Buffer.from(request.body) };
  return signatureFor(received, signedNames, credentials, region, signingDate);
}
