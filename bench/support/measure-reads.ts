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
    let reads = 0;
    const countRead = () => reads++;
    const request = http.request(
      target,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (response) => {
        let pending: Buffer = Buffer.alloc(0);
        let frames = 0;
        // HTTP/1.1 emits one 'data' per chunked-encoding chunk; frames are counted there.
        response.on('data', (data: Buffer) => {
          pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
          while (pending.length >= 4 && pending.length >= pending.readUInt32BE(0)) {
            pending = pending.subarray(pending.readUInt32BE(0));
            frames++;
          }
        });
        response.on('end', () => {
          request.socket?.off('data', countRead);
          resolve({ frames, reads });
        });
        response.on('error', reject);
      },
    );
    // Socket reads are what a decoder sees at once; the response's 'data' events are finer than that.
    request.on('socket', (socket) => socket.on('data', countRead));
    request.on('error', reject);
    request.end(body);
  });
}
