/**
 * Evidence for the two CPU shapes: over plain HTTP/1.1, how many event-stream frames arrive per
 * socket read at the emulator's current pace and the benchmark's concurrency.
 */
import http from 'node:http';

export async function framesPerRead(url: string, modelId: string, bodies: string[]): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: bodies.length });
  try {
    const counts = await Promise.all(bodies.map((body) => countReads(url, modelId, body, agent)));
    const frames = counts.reduce((sum, count) => sum + count.frames, 0);
    const reads = counts.reduce((sum, count) => sum + count.reads, 0);
    return frames / reads;
  } finally {
    agent.destroy();
  }
}

function countReads(
  url: string,
  modelId: string,
  body: string,
  agent: http.Agent,
): Promise<{ frames: number; reads: number }> {
  const target = new URL(`/model/${encodeURIComponent(modelId)}/invoke-with-response-stream`, url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        let pending: Buffer = Buffer.alloc(0);
        let frames = 0;
        let reads = 0;
        response.on('data', (data: Buffer) => {
          reads++;
          pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
          // Count whole frames by their length prefix; a frame split across reads counts once.
          while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
            pending = pending.subarray(pending.readUInt32BE(0));
            frames++;
          }
        });
        response.on('end', () => resolve({ frames, reads }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
