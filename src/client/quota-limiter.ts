/**
 * The client's `quota` seam: `createQuotaLimiter()` lives in src/quota/ (the books, the in-memory and
 * Redis backends, token estimation); this module keeps the import path the client has always had.
 */
export { bedrockBurndown, createQuotaLimiter } from '../quota/index.js';
export type { BedrockQuotaLimiter, QuotaLimiterOptions, QuotaSnapshot } from '../quota/index.js';
