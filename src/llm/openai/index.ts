/** @module cloudsteward/llm/openai */
export { type OpenAIOptions, openai } from "./openai.js";
