/** @module cloudsteward/llm/bedrock */
export { type BedrockOptions, bedrock } from "./bedrock.js";
export type { AwsCredentials } from "./sigv4.js";
