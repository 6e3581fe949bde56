/** @module cloudsteward/llm/ai-sdk */
export {};
