/** The key Bedrock adds to the last chunk (or body) of every InvokeModel stream. */
export const METRICS_KEY = 'amazon-bedrock-invocationMetrics';

/** A stable, Bedrock-looking id derived from the request id (`msg_bdrk_…`, `chatcmpl-…`). */
export function responseId(prefix: string, requestId: string): string {
  return prefix + requestId.replace(/-/g, '').slice(0, 24);
}

/**
 * Families that report the prompt's token count on the first chunk only (Llama `prompt_token_count`,
 * Titan `inputTextTokenCount`): the count on the first call, null after.
 */
export function firstChunkOnly(inputTokens: number): () => number | null {
  let first = true;
  return () => {
    if (!first) return null;
    first = false;
    return inputTokens;
  };
}
