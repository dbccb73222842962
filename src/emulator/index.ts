export type * from './families/types.js';
export { BedrockServiceError } from './bedrock-error.js';
