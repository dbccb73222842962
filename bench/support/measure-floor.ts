/**
 * The floor under every client: POST over one pooled HTTP/2 connection and count event-stream frames by
 * their length prefix, decoding nothing. Its CPU per chunk is what the transport alone costs, so the
 * client table shows how much of each library's cost is left to cut.
 */
import http2 from 'node:http2';
import type { BenchDriver } from '../drivers/driver.js';

/** A Claude InvokeModelWithResponseStream answer: message_start, content_block_start, the text deltas, content_block_stop, message_delta, message_stop. */
const NON_TEXT_FRAMES = 5;

export function createFloorDriver(url: string): BenchDriver {
  const session = http2.connect(url);
  session.on('error', () => {});
  return {
    name: 'floor (bytes only)',
    transport: 'node:http2, one pooled connection, frames counted by length prefix, nothing decoded',
    stream(modelId, prompt, maxTokens) {
      // The raw SDK driver's exact body, so the emulator chunks the answer the same way.
      const body = JSON.stringify({
        anthropic_version: 'bedrock-2023-05-31',
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: prompt }],
      });
      const request = session.request({
        ':method': 'POST',
        ':path': `/model/${encodeURIComponent(modelId)}/invoke-with-response-stream`,
        'content-type': 'application/json',
      });
      return new Promise((resolve, reject) => {
        let frames = 0;
        let remaining = 0;
        let prefix: number[] = [];
        request.on('data', (data: Buffer) => {
          let offset = 0;
          while (offset < data.length) {
            if (remaining > 0) {
              const skip = Math.min(remaining, data.length - offset);
              remaining -= skip;
              offset += skip;
              continue;
            }
            prefix.push(data[offset++]!);
            if (prefix.length === 4) {
              remaining = ((prefix[0]! << 24) | (prefix[1]! << 16) | (prefix[2]! << 8) | prefix[3]!) - 4;
              prefix = [];
              frames++;
            }
          }
        });
        request.on('end', () => resolve({ text: '', chunks: Math.max(0, frames - NON_TEXT_FRAMES) }));
        request.on('error', reject);
        request.end(body);
      });
    },
    async close() {
      session.close();
    },
  };
}
