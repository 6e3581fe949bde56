/** @module cloudsteward/llm/anthropic */
export {};
