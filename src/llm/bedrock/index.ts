/** @module cloudsteward/llm/bedrock */
export {};
