/** The quota module: TPM/RPM admission in one process (memory) or across a fleet (Redis). */
export { createQuotaLimiter, type BedrockQuotaLimiter, type FleetQuotaReservation } from './limiter.js';
export type { QuotaLimiterOptions } from './limiter-options.js';
export { bedrockBurndown } from './burndown.js';
export { resolveQuotaKey, type QuotaKeyOptions } from './quota-key.js';
export { estimateInputTokens, ESTIMATE_RULES } from './estimate.js';
export type { ModelQuotaSnapshot, QuotaSnapshot, AdaptiveSettings } from './types.js';
