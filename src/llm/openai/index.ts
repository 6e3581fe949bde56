/** @module cloudsteward/llm/openai */
export {};
