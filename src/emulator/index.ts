/** `aws-bedrock-inference/emulator`: a local Bedrock Runtime for tests and offline development. */
export { startEmulator, type Emulator, type EmulatorOptions } from './server.js';
export { FaultInjector, type FaultRule, type FaultSpec } from './faults.js';
export {
  ScriptedAnswers,
  scriptRuleSchema,
  type ListedScript,
  type ScriptRule,
  type ScriptTarget,
  type ScriptedAnswer,
} from './scripted-answers.js';
export { createScriptedBackend, type ScriptedBackendContext } from './backends/scripted.js';
export { GuardrailRegistry, guardrailSchema, type GuardrailConfig } from './guardrails.js';
export { PromptCache, minimumCacheTokens } from './prompt-cache.js';
export type * from './tools/tool-types.js';
export { RequestLog, type EmulatorOperation, type RequestLogEntry, type RequestOutcome } from './request-log.js';
export { QuotaSimulator, type QuotaOptions } from './quota.js';
export { FAMILY_PROFILES, type Speed, type TimingOptions, type TimingProfile } from './timing.js';
export { listModels, resolveModel, type ResolvedModel } from './model-catalog.js';
export { createMarkovBackend } from './text/markov-backend.js';
export { createOpenAICompatibleBackend, type OpenAICompatibleBackendOptions } from './backends/openai-compatible.js';
export { BedrockServiceError } from './bedrock-error.js';
export type { EmulatorCredentials } from './signature-check.js';
export type * from './families/types.js';
