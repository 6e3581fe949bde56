/** @module cloudsteward/llm/ai-sdk */
export { type AiSdkLanguageModel, type AiSdkOptions, aiSdk } from "./ai-sdk.js";
