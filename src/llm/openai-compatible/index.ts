/** @module cloudsteward/llm/openai-compatible */
export {};
