/**
 * Errors in logs without model output: the library's errors carry the partial answer
 * (`partialText`), which is as private as the prompt. Unless `logPrompts` is on, every logged `err`
 * keeps its type, message, codes and stack, and each `partialText` (at any depth: causes, a
 * RetryError's attempts) becomes its length, `partialChars`.
 */
import pino, { type Logger } from 'pino';

const MAX_DEPTH = 6;

function strip(value: unknown, depth: number, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => strip(item, depth + 1, seen));
  const source = value instanceof Error ? pino.stdSerializers.err(value) : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) {
    if (key === 'partialText') out.partialChars = typeof field === 'string' ? field.length : 0;
    else out[key] = strip(field, depth + 1, seen);
  }
  return out;
}

/** pino's error serializer with every `partialText` replaced by its length. */
export function serializeErrorWithoutOutput(error: unknown): unknown {
  return strip(error instanceof Error ? pino.stdSerializers.err(error) : error, 0, new Set());
}

/** The server's logger: a child whose `err` serializer drops model output unless prompts may be logged. */
export function withSafeErrors(logger: Logger, logPrompts: boolean): Logger {
  if (logPrompts) return logger;
  return logger.child({}, { serializers: { err: serializeErrorWithoutOutput } });
}
