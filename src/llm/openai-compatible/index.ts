/** @module cloudsteward/llm/openai-compatible */
export { type OpenAICompatibleOptions, openaiCompatible } from "./openai-compatible.js";
