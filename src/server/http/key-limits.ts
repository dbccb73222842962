/**
 * Per-caller limits on the streaming routes: requests per minute and streams open at once, keyed by
 * API key hash (or the client address when keys are off). Over a limit is a 429 with Retry-After.
 * Token budgets are the client's quota limiter's job (`clientOptions.quota`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-error.js';

export interface PerKeyLimits {
  /** Streaming requests each key may start per minute (default: unlimited). */
  requestsPerMinute?: number;
  /** Streams each key may have open at once (default: unlimited). */
  concurrentStreams?: number;
}

interface Usage {
  windowStart: number;
  requests: number;
  open: number;
}

const WINDOW_MS = 60_000;

export interface KeyLimiter {
  /** Counts the request and holds a stream slot until the response closes; throws 429 when over. */
  admit(keyHash: string | null, req: IncomingMessage, res: ServerResponse): void;
}

export function createKeyLimiter(limits: PerKeyLimits | undefined): KeyLimiter {
  const rpm = limits?.requestsPerMinute;
  const concurrent = limits?.concurrentStreams;
  if (rpm === undefined && concurrent === undefined) return { admit: () => undefined };
  const usage = new Map<string, Usage>();
  return {
    admit(keyHash, req, res) {
      const key = keyHash ?? `addr:${req.socket.remoteAddress ?? 'unknown'}`;
      const now = Date.now();
      if (usage.size > 10_000) prune(usage, now);
      let entry = usage.get(key);
      if (entry === undefined || (now - entry.windowStart >= WINDOW_MS && entry.open === 0)) {
        entry = { windowStart: now, requests: 0, open: 0 };
        usage.set(key, entry);
      } else if (now - entry.windowStart >= WINDOW_MS) {
        entry.windowStart = now;
        entry.requests = 0;
      }
      if (rpm !== undefined && entry.requests >= rpm) {
        const wait = Math.max(1, Math.ceil((entry.windowStart + WINDOW_MS - now) / 1000));
        throw new HttpError(429, 'rate_limited', `This key may start ${rpm} streams per minute.`, {
          retryable: true,
          retryAfterSeconds: wait,
          fix: `Wait ${wait} s (Retry-After) before starting another stream.`,
        });
      }
      if (concurrent !== undefined && entry.open >= concurrent) {
        throw new HttpError(429, 'too_many_streams', `This key may have ${concurrent} streams open at once.`, {
          retryable: true,
          retryAfterSeconds: 1,
          fix: 'Wait for an open stream to finish (or cancel one) before starting another.',
        });
      }
      entry.requests += 1;
      entry.open += 1;
      const held = entry;
      res.once('close', () => {
        held.open -= 1;
      });
    },
  };
}

function prune(usage: Map<string, Usage>, now: number): void {
  for (const [key, entry] of usage) if (entry.open === 0 && now - entry.windowStart >= WINDOW_MS) usage.delete(key);
}
