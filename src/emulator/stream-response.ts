/**
 * Writes one streaming answer: response headers, the family's frames at the profile's pace, the
 * closing chunk with invocation metrics, and any scripted mid-stream fault. A client that goes away
 * aborts generation at once and is logged as `client-aborted` with the number of chunks it got.
 */
import { constants as http2Constants, type Http2ServerResponse } from 'node:http2';
import { encodeErrorFrame } from './event-stream/encoder.js';
import type { GenerationEnd, GenerationRequest, GenerationResult, TextBackend } from './families/types.js';
import type { StreamFault } from './faults.js';
import { generateChunks, pause } from './generation.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import { exceptionFrame, type FrameWriter } from './stream-frames.js';
import type { Pacer } from './timing.js';
import type { EmulatorResponse } from './transport.js';

export interface StreamJob {
  res: EmulatorResponse;
  entry: RequestLogEntry;
  log: RequestLog;
  frames: FrameWriter;
  backend: TextBackend;
  request: GenerationRequest;
  pacer: Pacer;
  fault: StreamFault | undefined;
  startedAt: number;
  headers: Record<string, string>;
  /** Called once with the tokens actually used (quota settlement). */
  onUsage(usage: { inputTokens: number; outputTokens: number }): void;
}

/** The one write signature both HTTP/1.1 and HTTP/2 responses share. */
type FrameSink = { write(chunk: Buffer, callback?: () => void): boolean };

/** Thrown inside the write path to stop generating once a fault ended the stream. */
class StreamEnded extends Error {}

export async function streamResponse(job: StreamJob): Promise<void> {
  const { res, entry, log, frames, fault } = job;
  if (connectionGone(res)) {
    // The client left before the answer began (e.g. during a slow first byte): its `close` has
    // already fired, so no listener below would ever hear it.
    log.finish(entry, 'client-aborted');
    job.onUsage({ inputTokens: job.request.inputTokens, outputTokens: 0 });
    return;
  }
  const controller = new AbortController();
  let finished = false;
  let faultFired = false;
  let pendingStart: Buffer[] | undefined = frames.start();
  let firstByteAt: number | undefined;
  const resetArmed = fault?.kind === 'reset';
  let lastWritten: Promise<void> = Promise.resolve();
  res.once('close', () => {
    if (!finished) controller.abort(new StreamEnded('client closed the connection'));
  });

  res.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    ...job.headers,
  });
  (res as { flushHeaders?: () => void }).flushHeaders?.();

  const write = async (frame: Buffer, isLast: boolean): Promise<void> => {
    if (controller.signal.aborted) throw new StreamEnded('aborted');
    if (fault !== undefined && !faultFired && (entry.chunksSent >= fault.afterChunks || isLast)) {
      faultFired = true;
      entry.fault = fault.kind;
      if (fault.kind === 'stall') {
        await pause(fault.ms, controller.signal);
        if (controller.signal.aborted) throw new StreamEnded('aborted');
      } else {
        if (fault.kind === 'reset') await lastWritten;
        applyFault(fault, frame, res);
        throw new StreamEnded(fault.kind);
      }
    }
    firstByteAt ??= Date.now();
    entry.chunksSent += 1;
    if (resetArmed) {
      // A reset must not swallow the chunks before it: remember when the last one reached the socket.
      lastWritten = new Promise((resolve) => (res as FrameSink).write(frame, () => resolve()));
      return;
    }
    if (!(res as FrameSink).write(frame)) await drained(res, controller.signal);
  };

  const writeAll = async (batch: Buffer[], closing = false): Promise<void> => {
    if (pendingStart !== undefined) {
      // Bedrock's opening events arrive with the first generated token, not before it.
      const start = pendingStart;
      pendingStart = undefined;
      for (const frame of start) await write(frame, false);
    }
    for (let i = 0; i < batch.length; i++) await write(batch[i]!, closing && i === batch.length - 1);
  };

  let result: GenerationResult | undefined;
  try {
    result = await generateChunks(
      job.backend,
      job.request,
      job.pacer,
      controller.signal,
      (channel, delta, tokens, call) =>
        writeAll(
          channel === 'text'
            ? frames.text(delta, tokens)
            : channel === 'reasoning'
              ? frames.reasoning(delta, tokens)
              : frames.toolUse(call!, delta),
        ),
    );
    const now = Date.now();
    await writeAll(
      frames.finish({
        ...result,
        inputTokens: job.request.inputTokens,
        ...(job.request.cache === undefined ? {} : { cache: job.request.cache }),
        metrics: {
          ...cacheMetrics(job.request),
          inputTokenCount: job.request.inputTokens,
          outputTokenCount: result.outputTokens,
          invocationLatency: now - job.startedAt,
          firstByteLatency: (firstByteAt ?? now) - job.startedAt,
        },
      }),
      true,
    );
    finished = true;
    res.end();
    // A stall only delays a chunk: the answer still arrived whole (entry.fault says it was stalled).
    log.finish(entry, faultFired && fault?.kind !== 'stall' ? 'fault' : 'completed');
  } catch (error) {
    finished = true;
    if (error instanceof StreamEnded || controller.signal.aborted) {
      if (faultFired && fault?.kind !== 'stall') {
        // Every fault but a reset leaves a well-formed HTTP response behind.
        if (fault?.kind !== 'reset' && !res.writableEnded) res.end();
        log.finish(entry, 'fault');
      } else log.finish(entry, 'client-aborted');
    } else {
      // The backend failed mid-way (e.g. the OpenAI-compatible server went away): Bedrock's equivalent.
      const message = error instanceof Error ? error.message : String(error);
      if (!res.writableEnded && !res.destroyed) res.end(exceptionFrame('modelStreamErrorException', message, 500));
      log.finish(entry, 'error', { errorType: 'ModelStreamErrorException' });
    }
  } finally {
    job.onUsage({ inputTokens: job.request.inputTokens, outputTokens: result?.outputTokens ?? 0 });
  }
}

/** Bedrock's cache counters beside the invocation metrics, when the request used the prompt cache. */
export function cacheMetrics(request: GenerationRequest): Partial<GenerationEnd['metrics']> {
  if (request.cache === undefined) return {};
  return { cacheReadInputTokenCount: request.cache.read, cacheWriteInputTokenCount: request.cache.write };
}

function connectionGone(res: EmulatorResponse): boolean {
  if ('stream' in res) return res.stream.destroyed || res.stream.closed;
  return res.destroyed || res.socket === null || res.socket.destroyed;
}

function applyFault(fault: Exclude<StreamFault, { kind: 'stall' }>, nextFrame: Buffer, res: EmulatorResponse): void {
  switch (fault.kind) {
    case 'stream-exception':
      res.end(exceptionFrame(fault.exceptionType, fault.message, fault.originalStatusCode));
      return;
    case 'error-frame':
      res.end(encodeErrorFrame(fault.errorCode, fault.errorMessage));
      return;
    case 'truncate':
      res.end(nextFrame.subarray(0, Math.max(1, nextFrame.length >> 1)));
      return;
    case 'corrupt-crc': {
      const corrupted = Buffer.from(nextFrame);
      const last = corrupted.length - 1;
      corrupted.writeUInt8(corrupted.readUInt8(last) ^ 0xff, last);
      res.end(corrupted);
      return;
    }
    case 'end-early':
      res.end();
      return;
    case 'reset':
      resetConnection(res);
      return;
  }
}

/** Breaks the transport: RST_STREAM on HTTP/2, a destroyed socket on HTTP/1.1. */
function resetConnection(res: EmulatorResponse): void {
  const h2 = res as Http2ServerResponse;
  if (h2.stream !== undefined) h2.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
  else res.socket?.destroy();
}

function drained(res: EmulatorResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
