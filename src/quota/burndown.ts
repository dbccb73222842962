/**
 * How many quota tokens one output token costs. Bedrock's quotas-token-burndown page: 5 for Claude 3.7
 * Sonnet and the Claude 4 and later models (Opus, Sonnet, Haiku), 1 for every other model.
 */
export function bedrockBurndown(modelId: string): number {
  return /claude-3-7-sonnet|claude-(?:opus|sonnet|haiku)-(?:[4-9]|\d\d)/.test(modelId) ? 5 : 1;
}
