/**
 * Prometheus metrics for GET /metrics, on a registry of their own (so two servers in one process do
 * not collide): active streams, time to first token, tokens, errors by type, retries, disconnects and
 * quota waits. Updated per stream and per event type, never per byte.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly activeStreams: Gauge<'route'>;
  readonly timeToFirstToken: Histogram<'route'>;
  readonly tokens: Counter<'kind'>;
  readonly errors: Counter<'type'>;
  readonly retries: Counter;
  readonly disconnects: Counter<'route'>;
  readonly quotaWaits: Counter;
  readonly quotaWaitSeconds: Histogram;
  readonly requests: Counter<'route' | 'status'>;
}

export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    activeStreams: new Gauge({
      name: 'bedrock_server_active_streams',
      help: 'Streams being forwarded to clients right now',
      labelNames: ['route'],
      registers,
    }),
    timeToFirstToken: new Histogram({
      name: 'bedrock_server_time_to_first_token_seconds',
      help: 'From the request arriving to the first text or reasoning sent to the client',
      labelNames: ['route'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    tokens: new Counter({
      name: 'bedrock_server_tokens_total',
      help: 'Tokens reported by Bedrock (or estimated), by kind',
      labelNames: ['kind'],
      registers,
    }),
    errors: new Counter({
      name: 'bedrock_server_errors_total',
      help: 'Failed generations and requests, by error type',
      labelNames: ['type'],
      registers,
    }),
    retries: new Counter({
      name: 'bedrock_server_retries_total',
      help: 'Upstream retries before the first chunk',
      registers,
    }),
    disconnects: new Counter({
      name: 'bedrock_server_client_disconnects_total',
      help: 'Clients that went away before their stream ended',
      labelNames: ['route'],
      registers,
    }),
    quotaWaits: new Counter({
      name: 'bedrock_server_quota_waits_total',
      help: 'Calls that waited for the token/request quota limiter',
      registers,
    }),
    quotaWaitSeconds: new Histogram({
      name: 'bedrock_server_quota_wait_seconds',
      help: 'Time spent waiting for the quota limiter',
      buckets: [0.01, 0.05, 0.25, 1, 5, 30],
      registers,
    }),
    requests: new Counter({
      name: 'bedrock_server_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers,
    }),
  };
}
