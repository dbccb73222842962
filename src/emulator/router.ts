/**
 * Maps a request path to what the emulator should do. Bedrock's `{modelId}` is one path segment,
 * percent-encoded by the SDK (`:` -> `%3A`, `/` -> `%2F`), so the path is split before decoding
 * (bedrock-wire.md §1.5). Unencoded `:` works too, for curl users.
 */
import type { EmulatorOperation } from './request-log.js';

const OPERATIONS: Record<string, EmulatorOperation> = {
  invoke: 'InvokeModel',
  'invoke-with-response-stream': 'InvokeModelWithResponseStream',
  converse: 'Converse',
  'converse-stream': 'ConverseStream',
  'count-tokens': 'CountTokens',
};

export type Route =
  | { kind: 'model'; modelId: string; operation: EmulatorOperation }
  | { kind: 'admin'; path: string }
  | { kind: 'home' }
  | { kind: 'unknown-operation'; path: string }
  | { kind: 'bad-model-id'; raw: string };

export function route(method: string, url: string): Route {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (path.startsWith('/_emulator/') || path === '/_emulator') return { kind: 'admin', path };
  if (path === '/' && method === 'GET') return { kind: 'home' };
  const segments = path.split('/');
  if (method === 'POST' && segments.length === 4 && segments[1] === 'model' && segments[2] && segments[3]) {
    const operation = OPERATIONS[segments[3]];
    if (operation !== undefined) {
      try {
        return { kind: 'model', modelId: decodeURIComponent(segments[2]), operation };
      } catch {
        return { kind: 'bad-model-id', raw: segments[2] };
      }
    }
  }
  return { kind: 'unknown-operation', path };
}
