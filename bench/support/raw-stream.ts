/**
 * The leanest possible client: POST over HTTP/1.1 keep-alive and count event-stream frames by their
 * length prefix, without decoding them. Measures the emulator, not a client library.
 */
import http from 'node:http';

export interface RawStreamResult {
  frames: number;
  bytes: number;
  /** ms from request to each frame's arrival (only when `timestamps` is set). */
  arrivals?: number[];
}

export function rawStream(
  url: string,
  modelId: string,
  body: string,
  agent: http.Agent,
  timestamps = false,
): Promise<RawStreamResult> {
  const target = new URL(`/model/${encodeURIComponent(modelId)}/invoke-with-response-stream`, url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`emulator answered ${response.statusCode}`));
          response.resume();
          return;
        }
        let frames = 0;
        let bytes = 0;
        let untilNextFrame = 0;
        let prefix = Buffer.alloc(0);
        const arrivals: number[] | undefined = timestamps ? [] : undefined;
        response.on('data', (data: Buffer) => {
          bytes += data.length;
          let offset = 0;
          while (offset < data.length) {
            if (untilNextFrame > 0) {
              const skip = Math.min(untilNextFrame, data.length - offset);
              untilNextFrame -= skip;
              offset += skip;
              continue;
            }
            // Read the 4-byte total length (it may straddle reads).
            const need = 4 - prefix.length;
            const take = data.subarray(offset, offset + need);
            prefix = prefix.length === 0 ? Buffer.from(take) : Buffer.concat([prefix, take]);
            offset += take.length;
            if (prefix.length === 4) {
              untilNextFrame = prefix.readUInt32BE(0) - 4;
              prefix = Buffer.alloc(0);
              frames++;
              arrivals?.push(performance.now() - started);
            }
          }
        });
        response.on('end', () => resolve({ frames, bytes, ...(arrivals ? { arrivals } : {}) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
