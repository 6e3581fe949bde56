/** @module cloudsteward/llm/anthropic */
export { type AnthropicOptions, anthropic } from "./anthropic.js";
