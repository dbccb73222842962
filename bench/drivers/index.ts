/** Every driver the client benchmark measures, raw SDK first (the baseline the ratios divide by). */
import { createAnthropicBedrockDriver } from './anthropic-bedrock.js';
import type { DriverFactory } from './driver.js';
import { createLangchainDriver } from './langchain.js';
import { createOursDriver, createOursSdkHandlerDriver } from './ours.js';
import { createRawSdkDriver } from './raw-sdk.js';
import { createVercelAiDriver } from './vercel-ai.js';

export const DRIVERS: Readonly<Record<string, DriverFactory>> = {
  'raw-sdk': createRawSdkDriver,
  ours: createOursDriver,
  'ours-sdk-handler': createOursSdkHandlerDriver,
  'vercel-ai': createVercelAiDriver,
  langchain: createLangchainDriver,
  'anthropic-bedrock': createAnthropicBedrockDriver,
};

export const BASELINE = 'raw-sdk';
